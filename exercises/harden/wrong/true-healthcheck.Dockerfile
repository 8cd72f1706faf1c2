# expect-fail: hardening
# The health check "works" because it asks nothing: /bin/true always succeeds, so the
# container says healthy even when the server has hung or died. Everything else is the
# solution.
FROM golang:1.23-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server .

FROM alpine:3.20 AS runtime
RUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app -s /sbin/nologin app
COPY --from=build /out/server /usr/local/bin/server
ENV HOST=0.0.0.0 PORT=8080
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/bin/true"]
ENTRYPOINT ["/usr/local/bin/server"]
CMD ["-log=json"]
