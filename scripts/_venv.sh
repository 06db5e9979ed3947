# Sourced by scripts/run.sh and scripts/test.sh: a virtualenv in .venv with the project's
# dependencies, reinstalled only when pyproject.toml changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
    for candidate in python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
            echo "$candidate"
            return
        fi
    done
    echo "Nämndportalen behöver Python 3.11 eller senare." >&2
    exit 1
}

ensure_venv() {
    local extras="$1"
    if [ ! -x .venv/bin/python ]; then
        echo "==> Skapar virtuell miljö i .venv"
        "$(find_python)" -m venv .venv
    fi
    local stamp=".venv/.installed-${extras:-base}"
    local digest
    digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
        echo "==> Installerar beroenden"
        .venv/bin/python -m pip install --quiet --upgrade pip
        if [ -n "$extras" ]; then
            .venv/bin/python -m pip install --quiet ".[$extras]"
        else
            .venv/bin/python -m pip install --quiet .
        fi
        echo "$digest" > "$stamp"
    fi
}
