"""Dynamic verification: facts read from a real build and a real image, turned into findings."""
