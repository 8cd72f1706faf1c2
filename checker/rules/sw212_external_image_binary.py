"""SW212 external-image-binary: a program copied out of another image needs that image's libraries (pitfall 40)."""

from __future__ import annotations

from checker.analysis import Context
from checker.image_roles import classify
from checker.report import Concern
from checker.rules._native import LIBC_WORDS, libc, looks_like_program
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned

# Images whose programs are static, by how they are made, or scripts (composer is a PHP archive,
# install-php-extensions a shell script).
_STATIC_IMAGES = ("busybox", "tonistiigi/xx", "static", "scratch", "composer", "php-extension-installer")


def check(ctx: Context) -> list[Verdict]:
    final = ctx.final_image
    out: list[Verdict] = []
    judged = False
    for ins in ctx.final_instructions():
        cp = ins.copy
        ref = ctx.copy_ref(ins) if cp is not None and cp.from_ref else None
        if cp is None or ref is None or not ref.external:
            continue
        judged = True
        image = classify(ref.raw)
        if any(s in image.ref.path for s in _STATIC_IMAGES):
            continue
        programs = [s for s in cp.sources if looks_like_program(s)]
        # Judged only where the libc is known to differ (or be absent): many tools copied this way are
        # scripts or static (composer, install-php-extensions), and a same-family base often works.
        if not programs or libc(final) is None or libc(image) is None or libc(image) == libc(final):
            continue
        lands = f"`{final.display}` has {LIBC_WORDS.get(libc(final) or '', 'an unknown libc')}"
        out.append(
            warned(
                f"Line {ins.line}: {q(ins)} copies the program `{programs[0]}` out of the image `{image.display}`. "
                f"Unless it is statically linked it needs that image's loader and shared libraries "
                f"({LIBC_WORDS.get(libc(image) or '', 'its libc')}, and whatever else it links), which COPY does not "
                f"bring: {lands}. It then fails with the misleading `no such file or directory`, although the "
                "file is there.",
                ins.line,
                ins.snippet,
                hint=f"Copy only static binaries or plain data (certificates, zoneinfo) from other images; check "
                f"with `ldd {programs[0]}` in `{image.display}`. Otherwise install the tool in the runtime stage, or "
                "base the runtime on an image that has its libraries. Pin the image's tag or digest.",
            )
        )
    if out:
        return out
    if not judged:
        return [skipped("The final image copies nothing from another image.", ctx.final.line)]
    return [passed("Only static programs or plain data are copied from other images.", ctx.final.line)]


RULE = Rule(
    id="SW212",
    name="external-image-binary",
    concern=Concern.RUNTIME,
    title="A program copied from another image needs its libraries",
    rationale="`COPY --from=<image>` copies a file, not the shared libraries it is linked against.",
    fix="Copy only static binaries or data from other images; install dynamically linked tools instead.",
    lesson="lessons/02-stages-and-copy-from/#copy-from-an-external-image",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns about `COPY --from=<image>` into the final image of files under bin/, sbin/, opt/, jvm/ or "
        "shared libraries, unless the image is known to ship static programs (busybox, tonistiigi/xx, "
        "distroless static).",
        why="A dynamically linked tool stops working in the target image even though it ran in its source "
        "image: `no such file or directory`, or a missing library (pitfall 40).",
        example="FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=node:22 /usr/local/bin/node "
        '/usr/local/bin/node\nENTRYPOINT ["/usr/local/bin/node"]\n',
        use_instead="FROM gcr.io/distroless/nodejs22-debian12:nonroot\nCOPY server.js /app/server.js\n"
        'CMD ["/app/server.js"]\n',
    ),
    check=check,
)
