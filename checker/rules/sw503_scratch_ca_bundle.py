"""SW503 scratch-ca-bundle: scratch has no CA certificates (pitfall 12)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, skipped, warned

_CERT_WORDS = ("ssl/certs", "ca-certificates", "/etc/ssl", "ca-bundle", "cacert", "/etc/pki")
_CERT_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR")


def check(ctx: Context) -> list[Verdict]:
    if not ctx.final_image.is_scratch:
        return [skipped("The final image is not scratch (other bases ship a CA bundle or a package for it).",
                        ctx.final.line)]  # fmt: skip
    copies = [i for i in ctx.final_instructions() if i.copy is not None]
    if any(any(w in s for w in _CERT_WORDS) for i in copies for s in (*i.copy.sources, i.copy.dest)):  # type: ignore[union-attr]
        return [passed("The scratch image gets a CA bundle.", ctx.final.line)]
    if any(v in st.env for st in ctx.final_chain() for v in _CERT_ENV):
        return [passed("SSL_CERT_FILE/SSL_CERT_DIR point at certificates of your own.", ctx.final.line)]
    builder = next((src for _, _, src in ctx.final_stage_copies()), None)
    name = builder.name_as_written if builder is not None and builder.name_as_written else "build"
    return [
        warned(
            f"Line {ctx.final.line}: `FROM scratch` and no CA bundle is copied in: the container starts, but the "
            "first outbound HTTPS call fails with `tls: failed to verify certificate: x509: certificate signed by "
            "unknown authority`. scratch is empty; the builder had certificates, and nothing copied them across.",
            ctx.final.line,
            f"FROM scratch (line {ctx.final.line})",
            hint=f"Add `COPY --from={name} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/` (on an Alpine "
            "builder, `apk add --no-cache ca-certificates` first), or use gcr.io/distroless/static, which has them.",
        )
    ]


RULE = Rule(
    id="SW503",
    name="scratch-ca-bundle",
    concern=Concern.RUNTIME,
    title="Give scratch a CA bundle",
    rationale="scratch has no CA certificates, so TLS clients cannot verify any server.",
    fix="COPY /etc/ssl/certs/ca-certificates.crt from the builder, or use distroless static.",
    lesson="lessons/07-beyond-the-basics/#ca-certificates-and-time-zones-on-scratch",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns when the final image is `scratch` and no COPY brings a CA bundle (`/etc/ssl/certs/...`) and "
        "no SSL_CERT_FILE/SSL_CERT_DIR is set.",
        why="`x509: certificate signed by unknown authority` on the first outbound HTTPS call (pitfall 12).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        "FROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n"
        'COPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
