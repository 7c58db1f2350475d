#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh machine, each step skipped when already done:
# Debian packages, the npm dependencies, and code-server (a real VS Code) in a cache folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
if [ ! -x node_modules/.bin/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "npm dependencies: installing (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "npm dependencies: up to date"
fi
bash scripts/setup-code-server.sh
