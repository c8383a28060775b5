# Samarbejde: every install step lives here, so a fresh clone needs nothing done by hand.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
VENDOR := samarbejde/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install assets migrate seed lint format check clean messages bench bench-webhooks bench-scale

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python >= 3.12 is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when the pins change.
$(STAMP): $(PY) requirements.txt requirements-dev.txt constraints.txt
	$(PIP) install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP) assets

# DKFDS, htmx and axe-core come from npm, pinned by package-lock.json; copied into static so that
# nothing needs node at runtime. The .map files are copied too, so whitenoise's manifest finds them.
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/dkfds $(VENDOR)/htmx $(VENDOR)/axe
	cp -r node_modules/dkfds/dist/css node_modules/dkfds/dist/js node_modules/dkfds/dist/fonts node_modules/dkfds/dist/img $(VENDOR)/dkfds/
	cp node_modules/dkfds/LICENSE.md $(VENDOR)/dkfds/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	touch $@

assets: $(VENDOR)/.stamp

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_data

# Web server and task worker in one command; Ctrl-C stops both.
run: seed
	$(PY) manage.py runall --host $(HOST) --port $(PORT)

# Two pytest-xdist workers (this machine has 2 cores; PYTEST_WORKERS=0 runs in one process). Whole files go to
# one worker (--dist loadfile): module fixtures such as restore_reference_data stay with their tests.
PYTEST_WORKERS ?= 2
test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-key-0123456789abcdef ALLOWED_HOSTS=example.org SMTP_HOST=smtp.example.org SITE_URL=https://example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) bench/run.py

# Outbox to a webhook sink with 1 and 2 workers vs. a bare POST loop; custody-event accept time (PostgreSQL).
# SCALE_OUT=1: two gunicorn nodes and 1-3 db_worker processes instead. BENCH_DATABASE_NAME names the database.
bench-webhooks: install
	$(PY) bench/webhooks.py $(if $(SCALE_OUT),--scale-out)

# Pages and API lists on a small and a big PostgreSQL dataset under gunicorn: median, p95, ratio to /healthz,
# growth, queries, an 8-client load run; writes docs/performance.md. BENCH_SCALE=denmark adds 1 M persons;
# BENCH_SCALE_ARGS=--smoke for a tiny quick run (nothing written).
bench-scale: install
	$(PY) bench/scale.py $(if $(filter denmark,$(BENCH_SCALE)),--denmark) $(BENCH_SCALE_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) db.sqlite3 test-artifacts
