# simkyc: every target installs what it needs, idempotently.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Debian packages: test-speech (espeak-ng, sox), document fonts (CJK, OCR-B),
# a browser for the capture-page tests, ffmpeg for media tooling, poppler-utils
# (pdftoppm) to render the compliance report PDF in its test, DejaVu for receipts.
DEB_PACKAGES := espeak-ng sox libsndfile1 fonts-noto-cjk fonts-ocr-b chromium ffmpeg poppler-utils fonts-dejavu-core

.PHONY: install deb venv run test test-fast bench bench-scale lint typecheck audit clean

install: deb venv

deb: $(VENV)/.deb-installed
$(VENV)/.deb-installed: Makefile
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@mkdir -p $(VENV) && touch $@

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml requirements-nodeps.txt
	@test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	# mediapipe 0.10.21 is the last release with the bundled face-mesh model; it
	# and the others listed there are installed without their declared deps.
	$(PIP) install -q --no-deps -r requirements-nodeps.txt
	@touch $@

run: install
	$(VENV)/bin/simkyc db upgrade
	$(VENV)/bin/simkyc serve --host $${SIMKYC_HOST:-127.0.0.1} --port $${SIMKYC_PORT:-8000}

test: install
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	$(VENV)/bin/simkyc bench all

# The scale benchmark's quick run (under 15 minutes; needs PostgreSQL and Redis):
# bench/out/scale.json and scale.png. SCALE_FULL=1 for the full run.
bench-scale: install
	nice $(VENV)/bin/simkyc bench --json $(if $(SCALE_FULL),,--quick) > /dev/null

lint: install
	$(VENV)/bin/ruff check src tests bench

typecheck: install
	$(VENV)/bin/mypy src

# Known vulnerabilities in the installed environment (pip-audit); offline-tolerant:
# an unreachable vulnerability service is reported and exits 0 (AUDIT_STRICT=1: exit 3).
audit: install
	VENV=$(VENV) python3 .ci/audit.py

clean:
	rm -rf var .pytest_cache build *.egg-info
