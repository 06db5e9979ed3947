#!/usr/bin/env bash
# Start Nämndportalen at http://127.0.0.1:8000/ with the demo data, and a job worker beside it
# (procrastinate: background imports, index rebuilds, the daily alert digest). Mail is written
# to the console unless EMAIL_URL or EMAIL_HOST is set. Uses DATABASE_URL when set, otherwise
# an embedded PostgreSQL in var/pgdata. Ctrl-C or SIGTERM stops the server, the worker and the
# embedded database this run started (portal/run.py does the starting and the stopping).
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv ""
exec .venv/bin/python -m portal.run
