# hsbench container image: a static binary on a slim Debian runtime (which
# keeps /bin/sh for the Kubernetes Job's shard wrapper, and tar for
# 'kubectl cp'), running as an unprivileged user.
#
#   docker build -t hsbench:latest .
#   docker run --rm hsbench:latest run --count 100

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/hsbench/hsbench/results.Version=${VERSION}" \
      -o /out/hsbench ./cmd/hsbench

FROM debian:bookworm-slim
RUN groupadd --gid 65532 hsbench \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin hsbench \
 && mkdir /results && chown 65532:65532 /results
COPY --from=build /out/hsbench /usr/local/bin/hsbench
USER 65532:65532
WORKDIR /results
ENTRYPOINT ["hsbench"]
CMD ["help"]
