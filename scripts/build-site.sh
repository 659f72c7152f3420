#!/usr/bin/env bash
# Build the bundled reference site into build/ (creates or reuses .venv first).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_venv "test"
cd "$ROOT"
exec "$VENV/bin/allysite" build "$@"
