"""Dynamic verification: producers read facts from a real build and a real image (producers.py, facts.py);
the dynamic rules judge them (judge.py runs checker/rules/sw050_*.py, sw150_*.py, ...)."""
