#!/usr/bin/env bash
# One command: virtualenv, dependencies, database, demo data, server on 127.0.0.1:8000.
source "$(dirname "$0")/_venv.sh"
ensure_requirements requirements.txt
mkdir -p var
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
echo "打开 http://127.0.0.1:8000/ 用上面的演示账号登录（Ctrl+C 停止）。"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
