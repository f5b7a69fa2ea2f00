# logweave's container image: built from the sources with Debian's packages
# (tools/bootstrap), run on debian:bookworm-slim with only the shared
# libraries the binary loads, as a non-root user, on a read-only root
# filesystem with its state in a volume. docs/operations.md explains it;
# tests/deploy_test.cc checks it against the binary and the install layout.
#
#   docker build -t logweave:0.1.0 .
#   docker run --read-only --tmpfs /tmp -v logweave-state:/var/lib/logweave \
#     -v $PWD/deploy/logweave.yaml:/etc/logweave/logweave.yaml:ro \
#     -p 7070:7070 -p 7071:7071 logweave:0.1.0

# --- build: the compiler and the -dev packages of tools/bootstrap ------------
FROM debian:bookworm AS build
COPY tools/bootstrap /src/tools/bootstrap
RUN /src/tools/bootstrap && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DLOGWEAVE_BUILD_TESTS=OFF -DLOGWEAVE_BUILD_BENCH=OFF \
 && cmake --build /build --target logweave \
 && DESTDIR=/stage cmake --install /build \
 && deploy/runtime-packages /stage/usr/bin/logweave > /stage/runtime-packages

# --- runtime: bookworm-slim and the binary's shared libraries -----------------
FROM debian:bookworm-slim
COPY --from=build /stage/runtime-packages /tmp/runtime-packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates $(cat /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && groupadd --system --gid 10001 logweave \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/logweave \
      --shell /usr/sbin/nologin logweave \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/logweave
# cmake --install's layout: /usr/bin/logweave, /usr/share/doc/logweave,
# /usr/share/logweave/logweave.yaml (the production example), also the config.
COPY --from=build /stage/usr/ /usr/
COPY --from=build /stage/usr/share/logweave/logweave.yaml /etc/logweave/logweave.yaml
# serve.state_dir: the write-ahead log, checkpoints and actions' records.
VOLUME ["/var/lib/logweave"]
USER 10001:10001
WORKDIR /var/lib/logweave
# gRPC (serve.address) and HTTP: /metrics, /healthz, /readyz (serve.http_address).
EXPOSE 7070 7071
# No curl in bookworm-slim: logweave probes itself (exit 0 on 2xx).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/bin/logweave", "probe", "http://127.0.0.1:7071/healthz"]
# SIGTERM: serve stops accepting, finishes calls, checkpoints, exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/logweave"]
CMD ["serve", "--config", "/etc/logweave/logweave.yaml"]
