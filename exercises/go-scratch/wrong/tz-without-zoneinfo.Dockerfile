# expect-fail: none
# expect-finding: SW504
# The team works in Berlin, so TZ=Europe/Berlin is set "to get local times in the logs". scratch has
# no /usr/share/zoneinfo and the binary is built without -tags timetzdata: Go cannot load the zone,
# time.Local silently stays UTC, and time.LoadLocation("Europe/Berlin") fails with
# "unknown time zone Europe/Berlin" (pitfall 13). This service never loads a zone, so nothing the
# checker runs breaks: the verdict is the warning alone (SW504, not graded).
FROM golang:1.23-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server .

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/server /server
USER 65532:65532
ENV TZ=Europe/Berlin
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/server", "-healthcheck"]
ENTRYPOINT ["/server"]
