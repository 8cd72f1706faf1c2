# expect-fail: stage-separation,size
# Two stages, but the runtime stage starts from the Go toolchain image again: the compiler,
# the standard library sources and apk ship with a 7 MB binary.
FROM golang:1.23-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server .

FROM golang:1.23-alpine
COPY --from=build /out/server /server
USER 65532:65532
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/server", "-healthcheck"]
ENTRYPOINT ["/server"]
