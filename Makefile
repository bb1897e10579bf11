# Quartier: `make run` runs the whole platform on this machine, `make test` runs every test.
# Both set themselves up: virtual environment, pinned packages, generated gRPC code, the broker.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROTO_DIR := contracts/proto
PROTO_OUT := gateway/grpc/generated
PROTOS := $(shell find $(PROTO_DIR) -name '*.proto' 2>/dev/null)
export AMQP_URI ?= amqp://guest:guest@127.0.0.1:5672/

.PHONY: run test venv proto broker prometheus bench clean unit contract integration e2e \
	web web-deps web-test chromium

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP)

# Python code for the protos, generated into the gRPC package (not committed).
$(PROTO_OUT)/.generated: $(STAMP) $(PROTOS)
	@mkdir -p $(PROTO_OUT)
	$(PY) -m grpc_tools.protoc -I $(PROTO_DIR) --python_out=$(PROTO_OUT) \
		--pyi_out=$(PROTO_OUT) --grpc_python_out=$(PROTO_OUT) $(PROTOS)
	@find $(PROTO_OUT) -type d -exec touch {}/__init__.py \;
	@touch $@

proto: $(PROTO_OUT)/.generated

broker:
	@deploy/local/ensure_broker.sh

# promtool and prometheus for the deploy/prometheus checks and the real-Prometheus e2e test.
prometheus:
	@deploy/local/ensure_prometheus.sh

# The web app (web/): `npm ci` from the lock file when it changed, `npm run build` when a source
# changed; the gateway serves web/dist at /. Node.js 20+ (npm) is needed; PLAYWRIGHT_SKIP_BROWSER_
# DOWNLOAD because the browser tests drive Debian's Chromium, never a downloaded browser.
WEB_NPM := cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm
WEB_DEPS := web/node_modules/.installed
WEB_BUILT := web/dist/.built
WEB_SOURCES := $(shell find web/src web/public web/api-reference web/scripts -type f 2>/dev/null) \
	web/index.html web/vite.config.ts web/tsconfig.json web/package.json

$(WEB_DEPS): web/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20+ (it brings npm)"; exit 1; }
	($(WEB_NPM) ci --no-audit --no-fund --fetch-retries=5 --fetch-retry-mintimeout=2000) \
		|| { echo "npm ci failed; trying once more in 10 s (the registry answered an error)"; \
		     sleep 10; $(WEB_NPM) ci --no-audit --no-fund --fetch-retries=5; }
	@touch $@

web-deps: $(WEB_DEPS)

$(WEB_BUILT): $(WEB_DEPS) $(WEB_SOURCES)
	$(WEB_NPM) run build
	@touch $@

web: $(WEB_BUILT)

# Debian's Chromium for the browser tests.
chromium:
	@deploy/local/ensure_chromium.sh

# Type check, the generated client against the current routes, Vitest, then Playwright against a
# platform of its own (web/tests/global-setup.ts).
web-test: venv proto broker web chromium
	$(WEB_NPM) run typecheck
	$(WEB_NPM) run api:check
	$(WEB_NPM) test
	$(WEB_NPM) run e2e

run: venv proto broker web
	$(PY) -m deploy.local.run

# Three pytest runs: integration tests run nameko containers in-process and need eventlet's
# monkey patching, which the gateway, gRPC and end-to-end tests must not have (see pytest.ini).
# web: the security tests check the app shell the gateway serves from web/dist.
test: venv proto broker prometheus web
	$(PY) -m pytest tests/unit tests/contract
	$(PY) -m pytest tests/integration
	$(PY) -m pytest tests/e2e tests/security
	@$(MAKE) --no-print-directory web-test

unit contract: venv proto prometheus
	$(PY) -m pytest tests/$@

integration e2e security: venv proto broker prometheus web
	$(PY) -m pytest tests/$@

bench: venv proto broker
	$(PY) bench/rpc.py

clean:
	rm -rf $(VENV) $(PROTO_OUT) web/node_modules web/dist web/test-results
