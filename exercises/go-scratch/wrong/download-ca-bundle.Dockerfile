# expect-fail: build
# The CA bundle is fetched from the web in the build stage, as a blog post showed. Builds here have
# no network (the checker and the grader build with --network=none), so wget stops with
# "bad address"; the builder image already has /etc/ssl/certs/ca-certificates.crt to copy.
FROM golang:1.23-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server .
RUN wget -q -O /out/cacert.pem https://curl.se/ca/cacert.pem

FROM scratch
COPY --from=build /out/cacert.pem /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/server /server
USER 65532:65532
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/server", "-healthcheck"]
ENTRYPOINT ["/server"]
