#!/usr/bin/env bash
# Lighthouse on the resident's feed, mobile profile (a bench, not a test: outside `make test`).
#
#   bench/web_lighthouse.sh http://127.0.0.1:8080 var/demo/credentials.json   # `make run`'s platform
#
# The feed is a signed-in page: a demo resident signs in (bench/web/sign_in.mjs, Playwright over
# CDP) in a Debian Chromium started here with a fresh profile, then Lighthouse 12 (`npx --yes
# lighthouse@12`, fetched on first use, never a dependency of the app) attaches to the same
# browser with --disable-storage-reset, so the refresh cookie restores the session as it does for
# a returning resident. Prints performance and accessibility; exits 1 below 90 / 95 or when the
# feed was not reached. The report goes to web/test-results/lighthouse-feed.json.
set -euo pipefail
base=${1:?the platform URL, e.g. http://127.0.0.1:8080}
credentials=${2:?the demo credentials file, e.g. var/demo/credentials.json}
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/web/test-results"
profile=$(mktemp -d /tmp/quartier-lighthouse-XXXXXX)
mkdir -p "$out"
cleanup() { pkill -f -- "--user-data-dir=$profile" || true; sleep 1; rm -rf "$profile" 2>/dev/null || true; }
trap cleanup EXIT

"${CHROMIUM_PATH:-$(command -v chromium)}" --headless=new --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --disable-quic --remote-debugging-port=0 --user-data-dir="$profile" about:blank \
    </dev/null >/dev/null 2>&1 &
for _ in $(seq 1 150); do [ -s "$profile/DevToolsActivePort" ] && break; sleep 0.2; done
port=$(head -1 "$profile/DevToolsActivePort")

node "$repo/bench/web/sign_in.mjs" "$port" "$base" "$credentials"
(cd "$out" && npx --yes lighthouse@12 "$base/feed" --port="$port" --disable-storage-reset \
    --only-categories=performance,accessibility --output=json \
    --output-path="$out/lighthouse-feed.json" --quiet --max-wait-for-load=60000)

python3 - "$out/lighthouse-feed.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {name: round(report["categories"][name]["score"] * 100)
          for name in ("performance", "accessibility")}
print("Lighthouse %s, %s, %s" % (report["lighthouseVersion"],
                                 report["configSettings"]["formFactor"], report["finalDisplayedUrl"]))
print("performance %(performance)d (target 90) · accessibility %(accessibility)d (target 95)" % scores)
print(" · ".join("%s %s" % (audit, report["audits"][audit]["displayValue"]) for audit in (
    "first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
    "cumulative-layout-shift", "speed-index")))
reached = report["finalDisplayedUrl"].endswith("/feed")
if not reached:
    print("the feed was not reached (the session did not restore): these are not the feed's figures")
sys.exit(0 if reached and scores["performance"] >= 90 and scores["accessibility"] >= 95 else 1)
PY
