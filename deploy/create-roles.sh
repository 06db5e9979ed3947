#!/usr/bin/env bash
# Run once by the postgres image when the primary's data folder is created
# (/docker-entrypoint-initdb.d): the owner role, which runs the migrations, and the
# application role the portal and the worker connect as (deploy/roles.sql says what each may do).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v database="$POSTGRES_DB" \
    -v owner=namndportalen_owner -v owner_password="$DATABASE_OWNER_PASSWORD" \
    -v app=namndportalen_app -v app_password="$DATABASE_APP_PASSWORD" \
    -f /deploy/roles.sql
