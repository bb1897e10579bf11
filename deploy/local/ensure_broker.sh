#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers on AMQP_URI, starting a locally installed one if needed, and
# that its management API answers (the integration and e2e tests create a vhost per run through it).
# Idempotent and silent when all is well; never prompts, so it runs the same under CI=true.
# Environment: AMQP_URI, RABBIT_API_URI (with credentials), BROKER_WAIT_SECONDS (default 60).
set -uo pipefail

AMQP_URI="${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}"
RABBIT_API_URI="${RABBIT_API_URI:-http://guest:guest@127.0.0.1:15672}"
WAIT_SECONDS="${BROKER_WAIT_SECONDS:-60}"

say() { echo "ensure_broker: $*" >&2; }

# host and port of a URI like scheme://user:pass@host:port/vhost (credentials and vhost optional).
uri_host() {
    local rest="${1#*://}"
    rest="${rest##*@}"
    rest="${rest%%/*}"
    echo "${rest%%:*}"
}
uri_port() {
    local rest="${1#*://}" default="$2"
    rest="${rest##*@}"
    rest="${rest%%/*}"
    if [[ "$rest" == *:* ]]; then echo "${rest##*:}"; else echo "$default"; fi
}

# True when something accepts TCP connections on host:port (bash's /dev/tcp, no extra tools).
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

wait_for_port() {
    local host="$1" port="$2" deadline=$((SECONDS + WAIT_SECONDS))
    while ((SECONDS < deadline)); do
        port_open "$host" "$port" && return 0
        sleep 1
    done
    return 1
}

# GET with basic auth taken from the URI; curl when present, else the Python every setup has.
http_ok() {
    if command -v curl >/dev/null 2>&1; then
        curl --silent --fail --max-time 3 "$1" >/dev/null 2>&1
    else
        python3 - "$1" >/dev/null 2>&1 <<'PY'
import base64, sys, urllib.parse, urllib.request
parts = urllib.parse.urlsplit(sys.argv[1])
url = parts._replace(netloc=parts.hostname + (":%d" % parts.port if parts.port else "")).geturl()
request = urllib.request.Request(url)
if parts.username:
    token = base64.b64encode(("%s:%s" % (parts.username, parts.password or "")).encode()).decode()
    request.add_header("Authorization", "Basic " + token)
urllib.request.urlopen(request, timeout=3)
PY
    fi
}

management_answers() {
    http_ok "${RABBIT_API_URI%/}/api/overview"
}

wait_for_management() {
    local deadline=$((SECONDS + WAIT_SECONDS))
    while ((SECONDS < deadline)); do
        management_answers && return 0
        sleep 1
    done
    return 1
}

is_local() {
    [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]
}

how_to_get_one() {
    cat >&2 <<MSG
ensure_broker: no RabbitMQ answers on $AMQP_HOST:$AMQP_PORT and none is installed here.
  Debian/Ubuntu:  sudo apt-get install rabbitmq-server && sudo rabbitmq-plugins enable rabbitmq_management
  Docker:         docker run -d -p 5672:5672 -p 15672:15672 rabbitmq:3-management
  Elsewhere:      point AMQP_URI (and RABBIT_API_URI for the tests) at a broker you have.
MSG
}

AMQP_HOST="$(uri_host "$AMQP_URI")"
AMQP_PORT="$(uri_port "$AMQP_URI" 5672)"

if ! port_open "$AMQP_HOST" "$AMQP_PORT"; then
    if ! is_local "$AMQP_HOST"; then
        say "no broker answers on $AMQP_HOST:$AMQP_PORT (remote host: not starting one here)"
        exit 1
    fi
    if ! command -v rabbitmq-server >/dev/null 2>&1; then
        how_to_get_one
        exit 1
    fi
    say "starting the local rabbitmq-server"
    rabbitmq-server -detached </dev/null >/dev/null 2>&1 || true
    if ! wait_for_port "$AMQP_HOST" "$AMQP_PORT"; then
        say "rabbitmq-server did not answer on $AMQP_HOST:$AMQP_PORT within ${WAIT_SECONDS}s"
        say "see its logs (usually /var/log/rabbitmq/) or start it by hand: rabbitmq-server"
        exit 1
    fi
    say "RabbitMQ is up on $AMQP_HOST:$AMQP_PORT"
fi

# The platform itself does not need the management API; the tests do. Missing it is a warning.
if ! management_answers; then
    if command -v rabbitmq-plugins >/dev/null 2>&1 && is_local "$AMQP_HOST"; then
        say "enabling the RabbitMQ management plugin"
        rabbitmq-plugins enable rabbitmq_management </dev/null >/dev/null 2>&1 || true
        wait_for_management
    fi
    if ! management_answers; then
        say "WARNING: the RabbitMQ management API does not answer on ${RABBIT_API_URI#*@}"
        say "WARNING: (or refuses the credentials in RABBIT_API_URI)."
        say "WARNING: the platform runs without it, but integration and e2e tests need it:"
        say "WARNING:   rabbitmq-plugins enable rabbitmq_management  (or set RABBIT_API_URI)"
    fi
fi

# Prometheus reads the broker's queues through the rabbitmq_prometheus plugin on port 15692
# (deploy/prometheus); the platform and its tests run without it, so missing it is only a note.
if ! port_open "$AMQP_HOST" 15692 && command -v rabbitmq-plugins >/dev/null 2>&1 \
        && is_local "$AMQP_HOST"; then
    rabbitmq-plugins enable rabbitmq_prometheus </dev/null >/dev/null 2>&1 \
        || say "note: could not enable rabbitmq_prometheus; Prometheus will see the broker as down"
fi
exit 0
