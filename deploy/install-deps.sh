#!/usr/bin/env bash
# Installs every Debian package the project needs to build, run and test.
# Run as root on Debian 12. Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
    build-essential cmake pkg-config clang clang-format
    libzmq3-dev            # ZeroMQ 4.3 with CURVE: the bus and the service endpoints
    libprotobuf-c-dev protobuf-c-compiler   # envelope/events/commands encoding, protoc-c
    liblmdb-dev lmdb-utils # each daemon's store; mdb_stat for operators and
                           # store_growth.sh, mdb_dump/mdb_load in the tests
    libuv1-dev             # the event loop of every daemon
    libinih-dev            # the site's INI config file
    libjansson-dev         # --json output of asctl and the tap
    libsodium-dev          # BLAKE2b digests of command payloads (request ids)
    libsystemd-dev systemd # sd_notify: Type=notify units (READY, the watchdog);
                           # systemd-analyze verifies and scores the units in a test
    libcmocka-dev          # unit test framework
    procps jq              # the integration tests: kill, and reading asctl --json
    curl                   # the integration tests: as-web's API and /metrics, as a browser or
                           # Prometheus would call them (not on a minimal Debian 12)
    help2man               # asctl's man page, made from its --help at build time
    tzdata                 # local dates and times in the site's zone (TZ=Asia/Shanghai)
    libh2o-dev             # as-web's HTTP server: libh2o built on libuv, on the daemon's loop
    chromium chromium-driver python3-selenium  # the browser tests of the pages (headless)
    libjs-chart.js         # the dashboard's charts (Chart.js), served by as-web at /js/ from
                           # /usr/share/javascript ([web] js_dir)
    fonts-wqy-microhei     # Chinese glyphs in the browser tests' screenshots
    nats-server libnats-dev  # tools/bench: the peer we measure against (NATS JetStream
                             # 2.9 and its C client); the bench smoke test runs it
    redis-server libhiredis-dev      # tools/bench: a durable peer, Redis Streams with the AOF
                                     # (appendfsync always / everysec) and its C client
    rabbitmq-server librabbitmq-dev  # tools/bench: a durable peer, RabbitMQ quorum queues with
                                     # publisher confirms, and its C client (rabbitmq-c); run.sh
                                     # starts its own node on loopback (the package's service
                                     # is not used)
    libcurl4-openssl-dev   # tools/bench/webbench: 50 browser sessions on one thread
                           # (libcurl's multi interface) against as-web
    debootstrap systemd-container  # test_deb_clean.sh: a clean Debian 12 tree for the .deb,
                                   # booted with systemd-nspawn
    prometheus             # promtool: test_monitoring checks deploy/monitoring's scrape
                           # config and alert rules and runs the rules' unit test
                           # (the package's own server is not used by the tests)
)
if [ "${AS_SKIP_APT_UPDATE:-0}" != 1 ]; then
    apt-get update -q
fi
apt-get install -y -q --no-install-recommends "${packages[@]}"
