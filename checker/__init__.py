"""Stagewise: a course on multi-stage Docker builds and a checker that grades them by building for real."""

__version__ = "0.1.0"
