# Two commands to know: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The seed's and the emails' links follow the address the portal is served on.
export HOST PORT

.PHONY: run test install install-test lint format migrate seed serve clean screenshots bench bench-cluster icons

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# `make run` installs what the portal needs; the test tools (pytest, Playwright,
# ruff, axe) come with `make test` and the other helpers that use them.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

.env:
	cp .env.example .env

install: $(VENV)/.installed .env
	@mkdir -p var

install-test: install $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@bin/serve "$(BIN)" "$(HOST)" "$(PORT)"

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Screenshots of the dashboards for the README, from a fresh demo database
# (the command is in benchmark/).
screenshots: install-test
	rm -f var/screenshots.sqlite3
	DATABASE_URL=sqlite:///var/screenshots.sqlite3 $(BIN)/python manage.py migrate --noinput -v 0
	DATABASE_URL=sqlite:///var/screenshots.sqlite3 $(BIN)/python manage.py screenshots

# Serve only the icons the templates use: after adding a `bi-…` icon to a template.
icons: install-test
	$(BIN)/python bin/subset-icons

# Speed and cost at scale against a bare view (SCALE=small|medium|large), in a Postgres
# database of its own; BENCH_ARGS="--reuse" keeps an already loaded one. Not part of `make test`.
# The command (benchmark/) sets BENCHMARK=True for its own run, which routes the bare view.
SCALE ?= small
bench: install
	@mkdir -p var/bench
	$(BIN)/python manage.py bench --scale $(SCALE) $(BENCH_ARGS)

# The same, then the load mix through two instances behind HAProxy, PgBouncer in
# transaction mode, two Celery workers and one beat (docs/scaling.md); needs
# `apt-get install haproxy pgbouncer` and Redis.
bench-cluster: install
	@mkdir -p var/bench
	$(BIN)/python manage.py bench --scale $(SCALE) --cluster $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache
