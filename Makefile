# The two commands of the README: `make demo` and `make test`. Both install what is missing.
VENV ?= .venv
PY := $(VENV)/bin/python
NGHEDAN := $(VENV)/bin/nghedan
PYTEST_ARGS ?=

# `make compose-check`: the compose deployment run for real in Docker on this machine
.PHONY: compose-check install demo up test check hours faketime lint format rabbitmq browser asyncapi-tools axe-tools office fault-tools schemas bench soak clean lock audit

$(VENV)/.installed: pyproject.toml
	@python3 -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "Cài python3-venv (Debian)…"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip; }
	@test -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf || { \
	  echo "Cài phông Liberation Serif cho PDF (Debian fonts-liberation2)…"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation2; }
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,embedded]'
	@touch $@

install: $(VENV)/.installed

rabbitmq: install
	$(NGHEDAN) ensure-rabbitmq

demo: install
	$(NGHEDAN) demo

up: install
	$(NGHEDAN) up

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

schemas: install
	$(NGHEDAN) contracts generate

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Cài Chromium (Debian) để thử bảng điều khiển…"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# AsyncAPI's own parser judges docs/asyncapi.yaml (Node.js and npm from Debian when missing).
asyncapi-tools:
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Cài Node.js và npm (Debian) để kiểm tra tài liệu AsyncAPI…"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	@test -d tools/asyncapi/node_modules/@asyncapi/parser || \
	  npm ci --prefix tools/asyncapi --no-audit --no-fund --loglevel=error

# axe-core (from npm) judges each of the office's pages in the browser tests.
axe-tools:
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Cài Node.js và npm (Debian) để kiểm tra khả năng tiếp cận các trang…"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	@test -f tools/axe/node_modules/axe-core/axe.min.js || \
	  npm ci --prefix tools/axe --no-audit --no-fund --loglevel=error

# The DOCX files are checked by converting them in LibreOffice, as an office would open them.
office:
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "Cài LibreOffice Writer (Debian, không giao diện) để kiểm tra tệp DOCX…"; \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui; }

# The fault tests drop packets to the broker with nftables and read queues from its management API.
fault-tools: rabbitmq
	@command -v nft >/dev/null 2>&1 || { \
	  echo "Cài nftables (Debian) cho các phép thử lỗi mạng…"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables; }
	@rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management || \
	  rabbitmq-plugins enable rabbitmq_management >/dev/null

test: install lint rabbitmq browser asyncapi-tools axe-tools office fault-tools faketime
	$(PY) -m pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory hours

# The fast loop while working (lint, types, import rules, unit tests; no broker, no database).
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -p no:cacheprovider tests/unit

faketime:
	@command -v faketime >/dev/null 2>&1 || { \
	  echo "Cài libfaketime (Debian faketime) để thử bộ kiểm thử ở những giờ khó…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime; }

# The tests that build dates, again at hard instants of the machine's clock (libfaketime): 17:10
# UTC (the previous day in Viet Nam until 17:00 UTC, the next one after), 23:59:50 in Viet Nam on
# 31 December, and 29 February 2028 at the same second. No test may depend on the hour it runs.
HARD_INSTANTS ?= 2026-12-02T17:10:00 2026-12-31T16:59:50 2028-02-29T16:59:50
HOURS_TESTS ?= tests/unit tests/e2e/test_platform.py tests/integration/test_notices.py \
  tests/integration/test_legal_alarms.py
hours: install rabbitmq faketime
	@for at in $(HARD_INSTANTS); do \
	  echo "== Đồng hồ của máy đặt lúc $$at UTC (libfaketime) =="; \
	  TZ=UTC faketime "$$(echo $$at | tr T ' ')" $(PY) -m pytest -q -p no:cacheprovider \
	    $(HOURS_TESTS) || exit 1; \
	done

# An hour at half the measured capacity with a fault every few minutes (not part of `make test`):
# memory and queue depths plotted to test-artifacts/soak.png. SOAK_ARGS="--minutes 10" for less.
SOAK_ARGS ?=
soak: install rabbitmq fault-tools
	$(PY) -u -m tests.faults.soak $(SOAK_ARGS)

# The compose deployment started, used, broken and restarted in a real Docker engine, with images
# built here (tests/compose/check.py says what, and what stands in for what): a table at the end.
compose-check: install
	bash tests/compose/provision.sh
	$(PY) -u -m tests.compose.check $(COMPOSE_CHECK_ARGS)

clean:
	rm -rf $(VENV) .nghedan .pytest_cache test-artifacts

bench: install rabbitmq
	$(PY) -m tests.bench.bench_pipelines
	$(PY) -m tests.bench.bench_province

# The image's exact dependencies, with hashes (deploy/requirements.lock), from pyproject.toml.
lock: install
	$(VENV)/bin/pip install -q pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
	  --no-emit-find-links -o deploy/requirements.lock pyproject.toml

# Known vulnerabilities in the locked dependencies (needs PyPI's JSON API or OSV to be reachable).
audit: install
	$(VENV)/bin/pip-audit --progress-spinner off --require-hashes --disable-pip -r deploy/requirements.lock
