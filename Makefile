# The front door. `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format migrate seed worker beat bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Seeding reports what it cannot do and succeeds; should it fail all the same (a bug), the
# product still starts.
run: migrate
	$(BIN)/python manage.py seed_demo || echo "make run: seeding the demo data failed (above); starting anyway."
	$(BIN)/python manage.py rebuild_analytics --days 2 > /dev/null || echo "make run: building yesterday's and today's analytics failed (above); starting anyway."
	@echo "API docs: http://127.0.0.1:8000/api/docs/   Admin: http://127.0.0.1:8000/admin/"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

# The PDF benchmark needs nothing; the rate-limit one needs Redis (REDIS_URL); the Stripe
# webhook one needs PostgreSQL (DATABASE_URL) and Redis (BENCH_REDIS_URL, default db 12,
# flushed), and starts its own gunicorn on port 8300 (BENCH_PORT) and Celery worker; the
# monthly run's needs PostgreSQL; the notification fan-out needs PostgreSQL and Redis
# (BENCH_REDIS_URL, default db 15, flushed) as its Celery broker; the search one needs
# PostgreSQL and Redis (BENCH_REDIS_URL, default db 10, flushed) and starts a gunicorn on
# port 8320 (BENCH_PORT); the audit overhead needs PostgreSQL and Redis (BENCH_REDIS_URL,
# default db 11, flushed) and starts two gunicorns on ports 8310-8311 (BENCH_PORT); the
# analytics ones need PostgreSQL, the reports and capture ones also Redis (BENCH_REDIS_URL,
# default db 14, flushed) and start gunicorns on ports 8320-8322 (BENCH_PORT). All but the
# first two make and drop a database beside DATABASE_URL's.
bench: install
	$(BIN)/python bench/invoice_pdf.py
	$(BIN)/python bench/rate_limit.py
	$(BIN)/python bench/stripe_webhooks.py
	$(BIN)/python bench/monthly_run.py
	$(BIN)/python bench/notification_fanout.py
	$(BIN)/python bench/read_path.py
	$(BIN)/python bench/audit_overhead.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/analytics_rollup.py
	$(BIN)/python bench/analytics_reports.py
	$(BIN)/python bench/analytics_capture.py
	$(BIN)/python bench/analytics_platform.py

# Schemathesis against a live server with the demo data (needs PostgreSQL and Redis for
# its first pass): `make fuzz FUZZ=postgres` or `FUZZ=embedded` runs one pass only.
fuzz: install
	bash .ci/fuzz $(FUZZ)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache htmlcov .coverage .fuzz .hypothesis .schemathesis
