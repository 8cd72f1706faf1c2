"""SW001 parse-error: the Dockerfile must parse with BuildKit's parser."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed


def check(ctx: Context) -> list[Verdict]:
    n = len(ctx.df.stages)
    return [passed(f"The Dockerfile parses: {n} stage{'s' if n != 1 else ''}.", ctx.df.stages[0].line)]


RULE = Rule(
    id="SW001",
    name="parse-error",
    concern=Concern.BUILD,
    title="The Dockerfile must parse",
    rationale="Nothing can be built or judged until BuildKit can read the file.",
    fix="Fix the line the error names: check the instruction's spelling, its arguments, quotes in JSON "
    "arrays and that every heredoc ends with its delimiter alone on a line.",
    lesson="lessons/02-stages-and-copy-from/#from-as-names-a-stage",
    kind=Kind.STATIC,
    weight=5.0,
    doc=RuleDoc(
        what="Parses the Dockerfile with BuildKit's own parser and reports the first error with its line, "
        "using BuildKit's wording (`unknown instruction`, `unknown flag`, `FROM requires either one or three "
        "arguments`, `no build stage in current context`, `unterminated heredoc`...).",
        why="A file that does not parse cannot be built, so every other check would be guesswork.",
        example="FROM golang:1.23 AS build\nCOPY --frm=build /app /app\nRUN <<EOF\ngo build ./...\n",
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN <<EOF\ngo build -o /out/app .\nEOF\n",
    ),
    check=check,
)
