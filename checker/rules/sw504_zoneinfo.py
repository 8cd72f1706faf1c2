"""SW504 zoneinfo: TZ set in an image without a time zone database (pitfall 13)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, skipped, warned

_UTC = frozenset({"", "utc", "etc/utc", "gmt", "etc/gmt", "utc0", "z", "zulu", "universal"})


def check(ctx: Context) -> list[Verdict]:
    tz = None
    tz_ins = None
    for st in ctx.final_chain():
        for ins in st.of("ENV"):
            args = list(ins.args)
            for i in range(0, len(args) - 1, 2):
                if args[i] == "TZ":
                    tz, tz_ins = args[i + 1].strip("\"'"), ins
    if tz is None or tz_ins is None or tz.lower() in _UTC:
        return [skipped("No time zone other than UTC is set in the final image.", ctx.final.line)]
    info = ctx.final_image
    copies = [i.copy for i in ctx.final_instructions() if i.copy is not None]
    if any("zoneinfo" in s or "tzdata" in s for cp in copies for s in cp.sources):
        return [passed(f"`TZ={tz}` and the zoneinfo database is copied in.", tz_ins.line)]
    # Go can embed the database: `-tags timetzdata` or `import _ "time/tzdata"` (not visible here).
    scripts = [ins.run.script for st in ctx.reachable_stages() for ins in st.instructions if ins.run is not None]
    if any("timetzdata" in s for s in scripts):
        return [passed(f"`TZ={tz}` and the Go binary embeds the zone database (-tags timetzdata).", tz_ins.line)]
    installed = set().union(*(ctx.facts(st).packages_installed for st in ctx.final_chain()))
    if "tzdata" in installed:
        return [passed(f"`TZ={tz}` and tzdata is installed in the final image.", tz_ins.line)]
    alpine = info.libc == "musl" and info.has_package_manager
    if not (info.is_scratch or alpine):
        return [skipped(f"`{info.display}` may ship zoneinfo: not judged.", tz_ins.line)]
    where = "scratch is empty" if info.is_scratch else f"`{info.display}` has no tzdata unless you install it"
    fix = (
        "On Alpine: `RUN apk add --no-cache tzdata` in the final stage."
        if alpine
        else "For Go, build with `-tags timetzdata` (or `import _ \"time/tzdata\"`); otherwise "
        "`COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo`."
    )
    return [
        warned(
            f"Line {tz_ins.line}: `TZ={tz}` is set, but there is no time zone database in the image ({where}): "
            f"`time.LoadLocation` fails with `unknown time zone {tz}`, and programs that read TZ silently use UTC.",
            tz_ins.line,
            tz_ins.snippet,
            hint=fix,
        )
    ]


RULE = Rule(
    id="SW504",
    name="zoneinfo",
    concern=Concern.RUNTIME,
    title="Ship the zone database when you set TZ",
    rationale="scratch (and Alpine without tzdata) have no /usr/share/zoneinfo.",
    fix="Build Go with -tags timetzdata, copy /usr/share/zoneinfo, or install tzdata.",
    lesson="lessons/07-beyond-the-basics/#ca-certificates-and-time-zones-on-scratch",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns when the final image sets `TZ` to a zone other than UTC on scratch (or Alpine) and the "
        "Dockerfile neither copies zoneinfo, installs tzdata, nor builds Go with `-tags timetzdata`.",
        why="`unknown time zone Europe/Berlin` from `time.LoadLocation`, or TZ silently gives UTC (pitfall 13).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM scratch\nENV TZ=Europe/Berlin\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\n"
        "RUN CGO_ENABLED=0 go build -tags timetzdata -o /out/app .\n\n"
        'FROM scratch\nENV TZ=Europe/Berlin\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
