# expect-fail: hardening,runtime
# USER names a user that was never created in the runtime stage (it exists nowhere but in
# the author's head): the image builds, but the container cannot start:
# "unable to find user app: no matching entries in passwd file" (pitfall 32).
FROM golang:1.23-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server .

FROM alpine:3.20 AS runtime
COPY --from=build /out/server /usr/local/bin/server
ENV HOST=0.0.0.0 PORT=8080
USER app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/server", "-healthcheck"]
ENTRYPOINT ["/usr/local/bin/server"]
CMD ["-log=json"]
