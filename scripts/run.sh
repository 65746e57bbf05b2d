#!/usr/bin/env bash
# One command: virtualenv, dependencies, database, demo data, server on 127.0.0.1:8000.
# The demo runs with DEBUG off, so a wrong address shows the site's Chinese 404 page, not Django's
# English debug page; --insecure lets runserver still serve the static files.
# Back to the demo's first state: .venv/bin/python manage.py load_demo --reset
source "$(dirname "$0")/_venv.sh"
ensure_requirements requirements.txt
mkdir -p var
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
ADDR="${EVALSITE_ADDR:-127.0.0.1:8000}"
echo "打开 http://$ADDR/ 用上面的演示账号登录（Ctrl+C 停止）。"
echo "恢复演示的初始状态：.venv/bin/python manage.py load_demo --reset"
exec env DEBUG="${DEBUG:-0}" .venv/bin/python manage.py runserver --insecure "$ADDR"
