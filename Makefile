# gisplan: `make demo` sets everything up and serves the application; `make test` sets
# everything up and runs the whole test suite. A second run skips the set-up already done.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MO := locale/zh_Hans/LC_MESSAGES/django.mo

.PHONY: setup demo test system database

setup: system $(VENV)/.installed $(MO) database
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_sample

demo: setup
	$(PY) manage.py create_demo_users
	$(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(PY) -m pytest

system:
	@bin/install-system-packages

database: system
	@bin/ensure-database

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.lock
	touch $@

$(MO): locale/zh_Hans/LC_MESSAGES/django.po
	msgfmt --check -o $@ $<
