# Long An open data portal. The two commands of the README:
#   make portal   set up everything and serve the portal with demo data on http://127.0.0.1:5000
#   make test     set up the test databases and run the test suite against the real services
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: portal test stop doctor lint install services

$(STAMP): requirements.txt dev-requirements.txt setup.py setup.cfg
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip wheel setuptools
	$(BIN)/pip install -q -r requirements.txt -r dev-requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $(STAMP)

# message catalogues are compiled, never committed
MO := $(patsubst %.po,%.mo,$(wildcard i18n/*/LC_MESSAGES/*.po))
%.mo: %.po | $(STAMP)
	@$(BIN)/pybabel compile -i $< -o $@ >/dev/null

install: $(STAMP) $(MO)
	@scripts/services.sh install

services: install
	@scripts/services.sh start

portal: install
	@scripts/portal.sh start

# the suite runs in TEST_WORKERS parallel processes, each on its own databases (tests/conftest.py)
TEST_WORKERS ?= 2
test: services
	@TEST_WORKERS=$(TEST_WORKERS) scripts/setup-ckan.sh test
	$(BIN)/pytest --ckan-ini=test.ini -n $(TEST_WORKERS) tests

stop:
	@scripts/portal.sh stop

doctor: install
	@$(BIN)/python -m ckanext.longan_opendata.ops.doctor -c ckan.ini

lint: install
	$(BIN)/ruff check ckanext harvesters schemas i18n tests
