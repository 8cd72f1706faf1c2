# expect-fail: build
# expect-finding: SW209
# The builder's first lines come from a project that needed cgo: `apk add gcc musl-dev`, and no
# CGO_ENABLED=0. With a C compiler in the image cgo is on, `net` is linked against musl, and
# scratch has no loader: the container fails with "exec /server: no such file or directory"
# although the file is there (pitfall 17, SW209). Here the build stops earlier: builds have no
# network, so apk cannot fetch gcc (SW012). The offline golang image has no C compiler at all, so
# without that line the same Dockerfile builds a static binary by luck; the cgo warning is judged
# from the Dockerfile alone.
FROM golang:1.23-alpine AS build
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/server .

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/server /server
USER 65532:65532
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/server", "-healthcheck"]
ENTRYPOINT ["/server"]
