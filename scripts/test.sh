#!/usr/bin/env bash
# Run the whole test suite against real PostgreSQL (DATABASE_URL, or the embedded default).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/test_dnr.py -x
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv "test"
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-calc"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installerar$missing från Debian (webbläsar- och Excel-testerna)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null 2>&1; then
    echo "==> Installerar axe-core från npm (tillgänglighetstesterna)"
    npm ci --no-audit --no-fund --silent
fi
exec .venv/bin/python -m pytest "$@"
