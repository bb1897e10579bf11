#!/usr/bin/env bash
# Make sure promtool and prometheus are installed (Debian's `prometheus` package ships both), so
# the rule checks and the real-Prometheus test run instead of skipping. Installs only as root on a
# machine with apt-get; anywhere else it says how and carries on: those tests then skip, named.
set -uo pipefail

say() { echo "ensure_prometheus: $*" >&2; }

if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
    exit 0
fi
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
    say "promtool/prometheus missing; install Debian's package (apt-get install prometheus)"
    say "or put both on PATH. The Prometheus checks will be skipped."
    exit 0
fi
say "installing Debian's prometheus package (promtool, prometheus)"
export DEBIAN_FRONTEND=noninteractive
# Try from the current package lists first; refresh them only if that fails (fresh machines).
if ! apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1
    apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 \
        || say "apt-get install prometheus failed; the Prometheus checks will be skipped."
fi
# Without recommends, so no prometheus-node-exporter: it would take :9100, the gateway's metrics
# port. On a systemd machine the package also starts a Prometheus on :9090; the tests run their
# own on a free port.
exit 0
