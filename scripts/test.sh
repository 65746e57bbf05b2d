#!/usr/bin/env bash
# One command: virtualenv, dependencies, the whole test suite. Extra arguments go to pytest.
# Without DATABASE_URL the tests run on SQLite and the PostgreSQL/Redis/browser tests
# are reported as skipped; .ci/run sets EVALSITE_REQUIRE_SERVICES=1 so they must run.
#
# The suite runs on every core (at most 4) with pytest-xdist, one test file per process at a time
# (--dist loadfile, so a module's shared fixtures load once); each process has its own test database
# (pytest-django's _gw0, _gw1 suffixes) and its own Redis database (tests/conftest.py). A single test
# file or test, or an explicit -n/-p, runs as given in one process. EVALSITE_TEST_WORKERS=N sets the count.
source "$(dirname "$0")/_venv.sh"
# Python's bytecode cache, and pytest's cache of the rewritten test modules: where the environment turns it
# off (PYTHONDONTWRITEBYTECODE), every test process would compile all of the project and rewrite the asserts
# of all ~90 test modules again (about 4.5 s a process, three processes a run).
unset PYTHONDONTWRITEBYTECODE
ensure_requirements requirements-dev.txt

parallel() {  # no if the arguments choose the processes or name just one test file (or tests in one)
  local files=0 arg
  for arg in "$@"; do
    case "$arg" in
      -n|-n[0-9]*|--numprocesses*|--dist*|*xdist*|--pdb|--trace) return 1 ;;
      -*) ;;
      *::*|*.py) files=$((files + 1)) ;;
      *) [ ! -d "$arg" ] || files=$((files + 2)) ;;  # a directory: likely several files
    esac
  done
  [ "$files" -ne 1 ]
}

workers=${EVALSITE_TEST_WORKERS:-$(nproc)}
[ "$workers" -le 4 ] || workers=4
if [ "$workers" -gt 1 ] && parallel "$@"; then
  exec .venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
fi
exec .venv/bin/python -m pytest "$@"
