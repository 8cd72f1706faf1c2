# expect-fail: artifact-copies
# Only the binary is copied: the server starts and answers, but scratch has no CA bundle, so
# any outbound HTTPS call would fail with "x509: certificate signed by unknown authority"
# (pitfall 12; /info reports ca_bundle=false).
FROM golang:1.23-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server .

FROM scratch
COPY --from=build /out/server /server
USER 65532:65532
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/server", "-healthcheck"]
ENTRYPOINT ["/server"]
