# Sourced by the other scripts: create or reuse .venv and install what allysite needs.
# Safe to run again: it reinstalls only when pyproject.toml changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ALLYSITE_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

# System packages the test suite needs. Each argument is PACKAGE (installed when dpkg says
# so) or COMMAND:PACKAGE (installed when the command is on PATH).
ensure_system_packages() {
  local missing=()
  local spec
  for spec in "$@"; do
    if [[ $spec == *:* ]]; then
      command -v "${spec%%:*}" >/dev/null 2>&1 && continue
    elif dpkg-query -W -f='${Status}' "$spec" 2>/dev/null | grep -q "ok installed"; then
      continue
    fi
    missing+=("${spec#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "Please install: ${missing[*]} (apt-get install ${missing[*]})" >&2
    return 1
  fi
  local SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_venv() {
  local extras="$1"
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "allysite needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
    return 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating a virtual environment in $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.allysite-installed"
  local want
  want="$(sha256sum < "$ROOT/pyproject.toml" | cut -c1-16)-$extras"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing allysite and its dependencies into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e "$ROOT[$extras]"
    echo "$want" > "$stamp"
  fi
  # Compiled bytecode for allysite's own modules (an editable install leaves none): with
  # PYTHONDONTWRITEBYTECODE set, every build and every process it forks would compile them
  # from source again. Only files changed since are compiled; Python reads them either way.
  "$VENV/bin/python" -m compileall -q "$ROOT/src/allysite" >/dev/null
}
