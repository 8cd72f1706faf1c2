"""Renderers: one report model in, one format out. No renderer computes a verdict."""

from __future__ import annotations

from collections.abc import Callable

from checker.report import Report

from .github import render_github
from .gitlab import render_gitlab
from .gradescope import render_gradescope
from .json import render_json
from .junit import render_junit
from .sarif import render_sarif
from .text import render_text

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "github": render_github,
    "gitlab": render_gitlab,
    "gradescope": render_gradescope,
}

__all__ = ["RENDERERS", "render_github", "render_gitlab", "render_gradescope", "render_json", "render_junit",
           "render_sarif", "render_text"]
