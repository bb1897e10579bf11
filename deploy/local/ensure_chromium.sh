#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the web app's browser tests (Playwright drives it;
# it never downloads a browser of its own). Installs only as root on a machine with apt-get;
# anywhere else it says how and fails, since the browser tests cannot run without it.
set -uo pipefail

say() { echo "ensure_chromium: $*" >&2; }

if command -v chromium >/dev/null || [[ -x "${CHROMIUM_PATH:-}" ]]; then
    exit 0
fi
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
    say "chromium missing; install Debian's package (apt-get install chromium chromium-driver) or set"
    say "CHROMIUM_PATH to a Chromium binary. The web app's browser tests need it."
    exit 1
fi
say "installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
# Try from the current package lists first; refresh them only if that fails (fresh machines).
if ! apt-get install -y -q --no-install-recommends chromium chromium-driver >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1
    apt-get install -y -q --no-install-recommends chromium chromium-driver >/dev/null 2>&1 \
        || { say "apt-get install chromium failed"; exit 1; }
fi
exit 0
