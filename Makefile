# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
# The distribution's Python 3.11 where there is one: Debian and Ubuntu build it with profile-guided
# and link-time optimisation, the interpreter linked into the executable, which the analysis
# commands feel (bench/README.md, session 7); else the first python3.11 on the PATH.
PYTHON ?= $(or $(wildcard /usr/bin/python3.11),python3.11)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export SURVEY_ENV ?= development
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
AXE := node_modules/axe-core/axe.min.js
SETTINGS := instance/settings.env

.PHONY: install run serve-prod test test-fast test-postgres browsers system-packages translations lint clean bench bench-deps

install: $(STAMP) survey_app/translations/vi/LC_MESSAGES/messages.mo $(SETTINGS)

# A checkout set up with make is for development (or what SURVEY_ENV says) from then on, so the
# commands the README prints work in a fresh shell; `make run` adds its port. A server started
# by gunicorn stays production (gunicorn.conf.py): the environment wins over this file.
$(SETTINGS):
	@mkdir -p $(@D)
	@{ echo '# Written by make; the environment wins over this file (survey_app/config.py).'; \
	   echo 'SURVEY_ENV=$(SURVEY_ENV)'; } > $@

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

survey_app/translations/vi/LC_MESSAGES/messages.mo: survey_app/translations/vi/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d survey_app/translations >/dev/null

translations: $(STAMP)  ## re-extract strings and update the catalogue
	$(BIN)/pybabel extract -F babel.cfg -k _l -o survey_app/translations/messages.pot --no-location --omit-header . >/dev/null
	$(BIN)/pybabel update --no-fuzzy-matching -i survey_app/translations/messages.pot -d survey_app/translations >/dev/null

# The checkout remembers that it is for development, and on which port it serves, in
# instance/settings.env (gitignored): commands pasted later into a fresh shell then work
# without extra variables, and QR codes and emailed links carry this port.
run: install
	@{ grep -v -e '^SURVEY_ENV=' -e '^SURVEY_PORT=' $(SETTINGS); \
	   echo 'SURVEY_ENV=$(SURVEY_ENV)'; echo 'SURVEY_PORT=$(PORT)'; } > $(SETTINGS).new && mv $(SETTINGS).new $(SETTINGS)
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo
	@echo "  Demo desk survey:  http://127.0.0.1:$(PORT)/q/demo"
	@echo "  Staff console:     http://127.0.0.1:$(PORT)/admin/"
	@echo "  Create a user:     $(FLASK) users create --email you@example.org --role admin"
	@echo "                     (or set SURVEY_ADMIN_EMAIL and SURVEY_ADMIN_PASSWORD before make run)"
	@echo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

serve-prod: install  ## gunicorn with production settings (needs SURVEY_SECRET_KEY, SURVEY_DATABASE_URL, SURVEY_RATELIMIT_STORAGE_URL)
	SURVEY_ENV=production $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

system-packages:  ## Debian packages the app itself needs: DejaVu Sans, the poster font with Vietnamese letters
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null; } || echo "fonts-dejavu-core could not be installed (run as root): QR posters cannot be made"

browsers: $(AXE)  ## Debian's Chromium for the browser tests (never a downloaded browser), axe-core from npm
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || echo "Chromium could not be installed: browser tests will be skipped"

# axe-core, injected into pages by the accessibility tests (tests/browser); test-only, never served.
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else echo "npm not found: the accessibility tests will be skipped"; fi

# On SQLite the suite runs on two processes (each test has its own database file); on PostgreSQL
# (SURVEY_TEST_DATABASE_URL) the tests share one database, so they run one at a time.
test: install $(AXE)
	$(BIN)/pytest -q -p no:cacheprovider $(if $(SURVEY_TEST_DATABASE_URL),,-n 2)

test-fast: install  ## the suite without the browser tests, on two processes
	$(BIN)/pytest -q -p no:cacheprovider -m "not browser" -n 2

lint: install  ## ruff (style, imports, likely bugs) and mypy (types of survey_app), settings in pyproject.toml
	$(BIN)/ruff check survey_app analysis tests bench migrations wsgi.py gunicorn.conf.py
	$(BIN)/mypy

bench: install  ## the loopback benchmarks that need only PostgreSQL and Redis (bench/README.md has the others)
	$(BIN)/python bench/nat.py
	$(BIN)/python bench/load.py --submissions 5000 --concurrency 50

test-postgres: install $(AXE)
	SURVEY_TEST_DATABASE_URL=$${SURVEY_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q -p no:cacheprovider

# Benchmarks only (bench/README.md), never part of `make test`: R with its survey package from
# Debian (no CRAN access needed), and the Python peers in their own environments under bench/out/
# (they pin numpy/pandas versions the project's .venv must not be moved to).
bench-deps: install
	@command -v Rscript >/dev/null && Rscript -e 'suppressMessages(library(survey))' >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-base-core r-cran-survey >/dev/null; } || \
		echo "R could not be installed (run as root): the R columns of the benchmarks will be skipped"
	@test -x bench/out/peers-venv/bin/python || { $(PYTHON) -m venv bench/out/peers-venv && \
		bench/out/peers-venv/bin/pip install --quiet samplics weightipy svy==0.35.0; }
	@test -x bench/out/balance-venv/bin/python || { $(PYTHON) -m venv bench/out/balance-venv && \
		bench/out/balance-venv/bin/pip install --quiet --only-binary :all: balance; }

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
