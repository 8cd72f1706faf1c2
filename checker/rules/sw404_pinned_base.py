"""SW404 pinned-base: the final image's base (and images copied into it) must be pinned (pitfall 40)."""

from __future__ import annotations

from checker.analysis import Context
from checker.image_roles import classify
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, warned


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    root = ctx.df.ancestors(ctx.final)[-1]
    ins = root.from_instr
    via = "" if root is ctx.final else " (the final stage is built FROM it)"
    if not root.base_resolved:
        out.append(
            failed(
                f"Line {ins.line}: {q(ins)} uses a variable with no default{via}: the tag depends on what each "
                "build passes, so the same Dockerfile can ship different bases.",
                ins.line,
                ins.snippet,
                hint="Declare it with a pinned default before the first FROM: `ARG BASE_TAG=3.20`.",
            )
        )
    else:
        info = ctx.final_image
        shown = info.display if info.display == root.base_raw else f"{info.display}` (from `{root.base_raw}`"
        if info.pinning == "unpinned":
            out.append(
                failed(
                    f"Line {ins.line}: the final image is based on `{shown}`{via}, which is "
                    + ("`latest`" if info.ref.tag == "latest" else "untagged, so `latest`")
                    + ": every build may pull a different base, and a security upgrade you did not plan can break "
                    "the app.",
                    ins.line,
                    ins.snippet,
                    hint=f"Pin a version tag (`{info.ref.path}:<version>`), or a digest for full reproducibility.",
                )
            )
        elif info.pinning == "floating":
            out.append(
                warned(
                    f"Line {ins.line}: `{shown}`{via} uses the floating tag `{info.ref.tag}`, which moves to new "
                    "versions over time.",
                    ins.line,
                    ins.snippet,
                    hint=f"Pin a version (`{info.ref.path}:<version>`).",
                )
            )
        else:
            out.append(passed(f"Line {ins.line}: the final base `{shown}` is pinned.", ins.line))
    for st in ctx.final_chain():
        for c in st.instructions:
            ref = ctx.copy_ref(c)
            if ref is None or not ref.external:
                continue
            ext = classify(ref.raw)
            if ext.pinning != "pinned":
                out.append(
                    warned(
                        f"Line {c.line}: {q(c)} copies from the image `{ref.raw}`, which is not pinned: the files "
                        "you copy can change from one build to the next.",
                        c.line,
                        c.snippet,
                        hint=f"Pin it: `--from={ext.ref.path}:<version>` (pitfall 40).",
                    )
                )
    return out


RULE = Rule(
    id="SW404",
    name="pinned-base",
    concern=Concern.HARDENING,
    title="Pin the final image's base tag",
    rationale="`latest` (or no tag) changes under you: builds stop being reproducible and upgrades happen unplanned.",
    fix="Use a version tag such as `nginx:1.27-alpine` or `eclipse-temurin:21-jre-alpine`, or a digest.",
    lesson="lessons/05-security/#pinned-tags",
    kind=Kind.STATIC,
    weight=1.0,
    doc=RuleDoc(
        what="Resolves the final stage's base image (ARG defaults substituted, `FROM <stage>` followed) and fails "
        "`latest` or a missing tag, warns about floating tags without a version (`lts`, `alpine`, `stable`), "
        "and warns about unpinned external images in `COPY --from`. Builder stages are not judged here.",
        why="The base is what you ship; an unpinned base makes yesterday's image and today's differ without a "
        "change in your repository (pitfall 40).",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        use_instead="ARG NGINX_VERSION=1.27-alpine\nFROM node:22-alpine AS build\nWORKDIR /app\n"
        "COPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n\nFROM nginx:${NGINX_VERSION}\n"
        "COPY --from=build /app/dist /usr/share/nginx/html\n",
    ),
    check=check,
)
