# make run: serve the API with the committed model; make test: lint and test (schemathesis
# and the hypothesis fuzzing included); make soak: 60 s of mixed load on gunicorn (not in CI).
PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv

.PHONY: run test soak

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

run: $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q -r requirements.txt
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

test: $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q -r requirements-dev.txt
	$(VENV)/bin/python -m ruff check .
	$(VENV)/bin/python -m pytest -q

soak: $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q -r requirements-dev.txt
	$(VENV)/bin/python -m bench.soak --clients 16 --seconds 60
