# Two commands on a fresh machine with python3: `make demo` and `make test`. Both create .venv.
PY ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BROWSER_PACKAGES := chromium fonts-liberation fonts-dejavu-core
export JAX_PLATFORMS ?= cpu
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup build check test selftest demo bench coverage clean

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	@# The grader's sandbox: bubblewrap from the system packages, where we may install it.
	@command -v bwrap >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -q bubblewrap >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && \
	    apt-get install -y -q bubblewrap >/dev/null 2>&1; }; }; } || \
	  echo "warning: bubblewrap is not installed: the grader will run without a sandbox (see README)"
	@# The browser tests' Chromium (Playwright drives it with executable_path), from the system packages too.
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -q --no-install-recommends $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && \
	      apt-get install -y -q --no-install-recommends $(BROWSER_PACKAGES) >/dev/null 2>&1; }; }; } || \
	  echo "warning: chromium is not installed: the browser tests will be skipped (see README)"
	@# PostgreSQL server binaries for the PostgreSQL gradebook test (no cluster is created or started here).
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -q postgresql-common >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && \
	    apt-get install -y -q postgresql-common >/dev/null 2>&1; }; } && \
	  mkdir -p /etc/postgresql-common/createcluster.d && \
	  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/jaxkit.conf && \
	  apt-get install -y -q postgresql >/dev/null 2>&1; } || \
	  echo "warning: PostgreSQL is not installed: the PostgreSQL gradebook test will be skipped"
	touch $(STAMP)

build: setup  ## regenerate exercises/, source/ and release/ from solutions/ and the registry
	$(PYTHON) -m autograder build

check: setup  ## fail when a generated file is out of date
	$(PYTHON) -m autograder build --check

test: setup  ## everything CI runs
	$(PYTHON) -m autograder build --check
	$(PYTHON) -m pytest -n 2 --dist loadgroup tests

demo: setup  ## grade the bundled sample class through nbgrader and print the gradebook
	$(PYTHON) -m autograder demo

bench: setup
	$(PYTHON) bench/bench.py

coverage: setup  ## per hidden check, the mistakes that make it fail on every seed
	$(PYTHON) tests/coverage.py

clean:
	rm -rf build demo-out artifacts .pytest_cache .jax_cache
