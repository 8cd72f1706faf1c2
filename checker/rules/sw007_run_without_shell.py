"""SW007 run-without-shell: shell-form RUN needs /bin/sh, which scratch and distroless lack (pitfall 15)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for st in ctx.reachable_stages():
        info = ctx.image(st)
        if info.has_shell is not False:
            continue
        shell_set = any(i.keyword == "SHELL" for i in st.instructions)
        for ins in st.instructions:
            if ins.keyword == "SHELL":
                break
            if ins.run is not None and ins.run.shell_form and not shell_set:
                out.append(
                    failed(
                        f"Line {ins.line}: {q(ins)} is a shell-form RUN in {st.label}, which is based on "
                        f"`{info.display}`: it has no /bin/sh, so the build fails with "
                        '`exec: "/bin/sh": stat /bin/sh: no such file or directory`.',
                        ins.line,
                        ins.snippet,
                        hint="Do this work in the builder stage and COPY --from the result; a shell-less runtime "
                        "stage should only COPY and set config.",
                    )
                )
    if not out:
        out.append(passed("No shell-form RUN in a stage without a shell.", ctx.final.line))
    return out


RULE = Rule(
    id="SW007",
    name="run-without-shell",
    concern=Concern.BUILD,
    title="No shell-form RUN in scratch or distroless stages",
    rationale="Shell-form RUN runs `/bin/sh -c`, and scratch/distroless images have no shell.",
    fix="Move the command to a builder stage and copy its result.",
    lesson="lessons/03-language-examples/#go-to-scratch",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Reports shell-form `RUN` instructions in stages whose base image has no shell (scratch, "
        "distroless without `:debug`, minimal Chainguard images).",
        why='The build fails at that step with `exec: "/bin/sh": stat /bin/sh: no such file or directory` '
        "(pitfall 15).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        "FROM scratch\nCOPY --from=build /out/app /app\nRUN chmod +x /app\n"
        'ENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\n"
        "RUN CGO_ENABLED=0 go build -o /out/app . && chmod +x /out/app\n\n"
        'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
