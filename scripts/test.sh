#!/usr/bin/env bash
# Run the whole test suite against real PostgreSQL (DATABASE_URL, or the embedded default).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/test_dnr.py -x
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv "test"
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installerar Chromium och LibreOffice för webbläsartesterna (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
