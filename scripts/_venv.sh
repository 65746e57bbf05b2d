# Sourced by run.sh and test.sh: make .venv and install the pinned requirements once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "需要 Python 3.11（当前：$("$PYTHON" --version 2>&1)）。可设置 PYTHON=/path/to/python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
ensure_requirements() {  # $1: requirements file
  local stamp=".venv/.installed-$(basename "$1")" sum
  sum=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$1"
    echo "$sum" > "$stamp"
  fi
}
