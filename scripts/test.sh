#!/usr/bin/env bash
# Run the whole test suite: lint, then pytest (creates or reuses .venv, installs what is missing).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# fonts-noto-core: Arabic and Cyrillic glyphs, so screenshots and contrast checks see real text.
ensure_system_packages "msgfmt:gettext" "git:git" "chromium:chromium" \
  "java:default-jre-headless" "npm:npm" "fonts-noto-core"
# axe-core and the Nu HTML checker for the browser tests, pinned in tests/browser/package.json.
if [ ! -f "$ROOT/tests/browser/node_modules/axe-core/axe.min.js" ] \
  || [ ! -f "$ROOT/tests/browser/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  echo "Installing axe-core and vnu-jar from npm into tests/browser/node_modules"
  npm install --prefix "$ROOT/tests/browser" --ignore-scripts --no-audit --no-fund \
    --no-package-lock --silent
fi
ensure_venv "test"
cd "$ROOT"
echo "== ruff"
"$VENV/bin/ruff" check src tests bench
"$VENV/bin/ruff" format --check src tests bench
echo "== pytest"
# On every core (pytest-xdist), a test file to a process: a file's tests share its fixtures
# (the browser tests' built site and Chromium). `-n 0` runs them all in this process.
exec "$VENV/bin/python" -m pytest -n auto --dist loadfile "$@"
