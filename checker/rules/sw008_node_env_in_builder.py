"""SW008 node-env-in-builder: NODE_ENV=production before npm ci drops the build tools (pitfall 21)."""

from __future__ import annotations

from checker.analysis import Context, is_node_install, split_commands
from checker.parse import unquote
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    saw_npm = False
    for st in ctx.reachable_stages():
        facts = ctx.facts(st)
        if not facts.npm_installs:
            continue
        saw_npm = True
        builds_later = {h.instr.line for h in facts.build_hits if h.severity == "fail" and "install" not in h.what}
        env_line: int | None = None
        for chain_stage in reversed(ctx.df.ancestors(st)):
            for ins in chain_stage.instructions:
                if ins.keyword in ("ENV", "ARG"):
                    pairs: list[tuple[str, str]] = []
                    if ins.keyword == "ENV":
                        pairs = list(zip(ins.args[0::2], ins.args[1::2], strict=False))
                    else:
                        pairs = [(a.partition("=")[0], a.partition("=")[2]) for a in ins.args]
                    for k, v in pairs:
                        if k == "NODE_ENV":
                            env_line = ins.line if unquote(v) == "production" else None
                if chain_stage is not st or ins.run is None or env_line is None:
                    continue
                for c in split_commands(ins.run.script):
                    if is_node_install(c) and "--include=dev" not in c.text and "--production=false" not in c.text:
                        if any(line > ins.line for line in builds_later):
                            out.append(
                                warned(
                                    f"Line {ins.line}: {q(ins)} runs with NODE_ENV=production (set on line "
                                    f"{env_line}) in {st.label}, so npm skips devDependencies, and that is where "
                                    "tsc, vite or nest live: the later build step fails with "
                                    "`sh: 1: tsc: not found`.",
                                    ins.line,
                                    ins.snippet,
                                )
                            )
                        break
    if out:
        return out
    if not saw_npm:
        return [skipped("No npm/yarn/pnpm install in the stages that are built.", ctx.final.line)]
    return [passed("Builder installs are not limited to production dependencies.", ctx.final.line)]


RULE = Rule(
    id="SW008",
    name="node-env-in-builder",
    concern=Concern.BUILD,
    title="Don't set NODE_ENV=production before the builder's npm install",
    rationale="With NODE_ENV=production npm skips devDependencies, which hold the build tools.",
    fix="Set NODE_ENV=production only in the runtime stage, or use `npm ci --include=dev` in the builder.",
    lesson="lessons/04-build-cache/#build-only-vs-runtime-files",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns when a stage sets `NODE_ENV=production` (ENV or ARG) before an `npm ci`/`npm install` "
        "without `--include=dev`, and then runs a build step.",
        why="npm leaves out devDependencies, so `npm run build` fails with `sh: 1: tsc: not found` or "
        "`sh: vite: not found` (pitfall 21).",
        example="FROM node:22-alpine AS build\nENV NODE_ENV=production\nWORKDIR /app\nCOPY package*.json ./\n"
        "RUN npm ci\nCOPY . .\nRUN npm run build\n",
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\n"
        "COPY . .\nRUN npm run build\n\nFROM node:22-slim\nENV NODE_ENV=production\nWORKDIR /app\n"
        'COPY --from=build /app/dist ./dist\nUSER node\nCMD ["node", "dist/server.js"]\n',
    ),
    check=check,
)
