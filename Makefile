# gisplan: `make demo` sets everything up and serves the application; `make test` sets
# everything up and runs the whole test suite. A second run skips the set-up already done.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MO := locale/zh_Hans/LC_MESSAGES/django.mo

.PHONY: setup demo serve worker cluster backup test tools system database

# With DATABASE_URL set the database is someone else's: it is migrated, never filled with the
# sample city.
setup: tools
	$(PY) manage.py migrate --noinput -v 0
	@[ -n "$$DATABASE_URL" ] || $(PY) manage.py load_sample --city

demo: setup
	$(PY) manage.py create_demo_users
	$(PY) manage.py runserver 127.0.0.1:8000

# Production: gunicorn on GISPLAN_BIND with DEBUG off (README.md, "Running in production"); the
# database is migrated, never filled with the sample county.
serve: tools
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(VENV)/bin/gunicorn --config gisplan/gunicorn.conf.py gisplan.wsgi

# Runs the queued imports and analyses (background jobs); restart it freely, the queue is kept.
worker: tools
	$(PY) manage.py run_jobs

# A Dask cluster here for the batches across counties (manage.py batch --scheduler
# tcp://127.0.0.1:8786, and the region portal's): a scheduler, GISPLAN_DASK_WORKERS workers and
# the worker that hands the web's batches to it (bin/cluster). Ctrl-C stops them all.
cluster: tools
	$(PY) manage.py migrate --noinput -v 0
	bin/cluster

# A dump of the database and the rasters into GISPLAN_BACKUP_DIR (default var/backups).
backup: tools
	$(PY) manage.py backup

# The linter first (ruff, configured in pyproject.toml); the tests make their own database with
# the sample county in it.
test: tools
	$(VENV)/bin/ruff check .
	@$(PY) -m gisplan.preflight
	$(PY) -m pytest

tools: system $(VENV)/.installed $(MO) database

system:
	@bin/install-system-packages

database: system
	@bin/ensure-database

$(VENV)/.installed: requirements.lock | system
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.lock
	touch $@

$(MO): locale/zh_Hans/LC_MESSAGES/django.po | system
	msgfmt --check -o $@ $<
