#!/usr/bin/env bash
# Run the whole test suite: lint, then pytest (creates or reuses .venv, installs what is missing).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_system_packages "msgfmt:gettext"
ensure_venv "test"
cd "$ROOT"
echo "== ruff"
"$VENV/bin/ruff" check src tests bench
"$VENV/bin/ruff" format --check src tests bench
echo "== pytest"
exec "$VENV/bin/python" -m pytest "$@"
