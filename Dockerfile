# exchangebot: a static binary on a distroless, non-root base.
#
#   docker build --build-arg VERSION=v1.4.0 -t exchangebot .
#   docker run -p 8080:8080 -v exchangebot-data:/data \
#     -e SLACK_BOT_TOKEN -e SLACK_SIGNING_SECRET exchangebot
#
# The SQLite database lives in /data, a volume. With PostgreSQL, pass
# EXCHANGEBOT_DATABASE=postgres://… instead (see deploy/compose.yaml).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# CGO_ENABLED=0: a static binary, needing no libc in the image.
# timetzdata: zone data inside the binary (cmd/exchangebot also imports
# time/tzdata; the tag keeps it so for any other main package).
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/exchangebot ./cmd/exchangebot
# The volume's mount point, owned by the user the server runs as, so a new
# named volume starts writable.
RUN mkdir -p /out/data && chown 65532:65532 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/exchangebot /usr/local/bin/exchangebot
COPY --from=build --chown=65532:65532 /out/data /data
COPY deploy/docker/config.yaml /etc/exchangebot/config.yaml
USER nonroot:nonroot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/exchangebot"]
CMD ["serve", "-config", "/etc/exchangebot/config.yaml"]
