#!/usr/bin/env bash
# One command: virtualenv, dependencies, the whole test suite. Extra arguments go to pytest.
# Without DATABASE_URL the tests run on SQLite and the PostgreSQL/Redis/browser tests
# are reported as skipped; .ci/run sets EVALSITE_REQUIRE_SERVICES=1 so they must run.
source "$(dirname "$0")/_venv.sh"
ensure_requirements requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
