#!/usr/bin/env bash
# Start Nämndportalen at http://127.0.0.1:8000/ with the demo data, and a job worker beside it
# (procrastinate: background imports, index rebuilds, the daily alert digest), stopped with
# the server. Mail is written to the console unless EMAIL_URL or EMAIL_HOST is set.
# Uses DATABASE_URL when set, otherwise an embedded PostgreSQL in var/pgdata.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv ""
echo "==> Migrerar databasen"
.venv/bin/python manage.py migrate --noinput
echo "==> Läser in demodata (första gången)"
.venv/bin/python manage.py load_demo
echo "==> Startar jobbkön (manage.py procrastinate worker) bredvid webbservern"
.venv/bin/python manage.py procrastinate worker &
WORKER_PID=$!
trap 'kill "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null' EXIT INT TERM
echo "==> Startar portalen på http://${PORTAL_ADDRESS:-127.0.0.1:8000}/"
.venv/bin/python manage.py runserver "${PORTAL_ADDRESS:-127.0.0.1:8000}"
