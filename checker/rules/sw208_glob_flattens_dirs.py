"""SW208 glob-flattens-dirs: `COPY dir/* dest/` copies the contents of each sub-folder, not the folder (pitfall 6)."""

from __future__ import annotations

import posixpath

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, warned

# Folders that hold files side by side (binaries, jars): a glob of them rarely meets a sub-folder.
_FLAT = frozenset({"bin", "sbin", "libs", "lib", "jars"})


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for st in ctx.reachable_stages():
        for ins in st.instructions:
            cp = ins.copy
            if cp is None or cp.heredoc:
                continue
            for src in cp.sources:
                parent, last = posixpath.split(src.rstrip("/") if src.endswith("*/") else src)
                if last not in ("*", "**") or not parent or posixpath.basename(parent.rstrip("/")) in _FLAT:
                    continue
                sub = f"{parent.rstrip('/')}/assets"
                out.append(
                    warned(
                        f"Line {ins.line}: {q(ins)} copies `{src}`: the glob expands to every entry of "
                        f"`{parent}`, and for each directory among them COPY copies its *contents*, not the "
                        f"directory: for example `{sub}/app.js` lands at `{posixpath.join(cp.dest_abs, 'app.js')}`, "
                        f"not at `{posixpath.join(cp.dest_abs, 'assets', 'app.js')}`, and files of two folders with "
                        "the same name overwrite each other.",
                        ins.line,
                        ins.snippet,
                        hint=f"Copy the directory itself: `COPY {'--from=' + cp.from_ref + ' ' if cp.from_ref else ''}"
                        f"{parent.rstrip('/')}/ {cp.dest}` copies its contents with the sub-folders kept.",
                    )
                )
                break
    return out or [passed("No COPY expands a `dir/*` glob.", ctx.final.line)]


RULE = Rule(
    id="SW208",
    name="glob-flattens-dirs",
    concern=Concern.ARTIFACT_COPIES,
    title="Copy a directory, not `dir/*`",
    rationale="`COPY dir/* dest/` copies the contents of each sub-folder into dest: the tree is flattened.",
    fix="Copy the directory (`COPY --from=build /app/dist/ /usr/share/nginx/html/`), not a `*` glob of it.",
    lesson="lessons/02-stages-and-copy-from/#copy-from-copies-only-what-you-name",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns about COPY/ADD sources whose last part is `*` (`/app/dist/*`, `src/*`).",
        why="The glob matches every entry, and COPY copies the contents of a matched directory, not the "
        "directory: `dist/assets/app.js` lands in `html/app.js`, the page asks for `assets/app.js` and gets a "
        "404 (pitfall 6).",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist/* /usr/share/nginx/html/\n",
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist/ /usr/share/nginx/html/\n",
    ),
    check=check,
)
