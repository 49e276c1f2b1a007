# Two entry points: `make run` (set up, migrate, demo data, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app webapp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres setup system-deps translations messages lint serve-gunicorn bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/activate
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# The secret key, readable by this account only (umask 077: created 0600).
instance/config.py:
	mkdir -p instance
	umask 077; $(PYTHON) -c 'import secrets; print(f"SECRET_KEY = {secrets.token_hex(32)!r}")' > $@

system-deps:
	./scripts/system-deps.sh --with-browser

# axe-core for the accessibility tests and ZBar for the QR slips, from the npm registry
# (package-lock.json); without npm those tests skip with the reason.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests will be skipped."; fi

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d webapp/translations

# After changing a message: extract them all, then translate the new ones in the .po file.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o webapp/messages.pot .
	$(BIN)/pybabel update -i webapp/messages.pot -d webapp/translations

setup: $(VENV)/.installed system-deps node_modules/.installed translations instance/config.py

run: setup
	$(FLASK) db upgrade
	$(FLASK) instruments sync
	$(FLASK) demo-data --if-empty --logins-file instance/demo-logins.txt
	@echo; echo "Demo logins (also in instance/demo-logins.txt):"; cat instance/demo-logins.txt 2>/dev/null || true
	@echo "Open http://$(HOST):$(PORT)/"; echo
	$(FLASK) run --host $(HOST) --port $(PORT)

# The suite in two parts: the bulk in parallel (one process per core, each on its own
# database), then the tests that drive Chromium or start servers, one at a time.
PYTEST_PARALLEL ?= -n auto
SERIAL := browser or processes

test: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not ($(SERIAL))"
	$(BIN)/pytest -q -m "$(SERIAL)"

# The same suite on PostgreSQL: make test-postgres TEST_DATABASE_URL=postgresql://.../db
# (each parallel worker uses a database of its own beside it, named <db>_gw0, <db>_gw1, ...)
test-postgres: setup
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not ($(SERIAL))"
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -q -m "processes"

serve-gunicorn: setup
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py 'webapp:create_app()'

# The house rules: ruff, and import-linter's contracts (pyproject.toml: the layers of webapp/,
# forms/ and analysis/ pure, the request kept in the web modules).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# Every benchmark at its full scale (minutes each); each prints its figures as ratios against a
# baseline measured in the same run.  The suite runs each at a toy scale (--tiny).
bench: setup
	$(BIN)/python -m benchmarks.analysis
	$(BIN)/python -m benchmarks.rollup
	$(BIN)/python -m benchmarks.submit

clean:
	rm -rf $(VENV) .pytest_cache node_modules
