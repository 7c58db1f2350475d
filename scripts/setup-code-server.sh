#!/usr/bin/env bash
# Installs code-server (a real VS Code, served to a browser) from the npm registry into a cache folder,
# outside the project's node_modules: it is ~300 MB, builds native modules and needs Node 20 exactly.
# Idempotent: a complete install of the pinned version is reused. Contacts only the npm registry.
#
#   CS_DIR   where to install (default: ~/.cache/registry-lens/code-server)
#
# code-server 4.100.3 ships VS Code 1.100.3, the oldest VS Code our `engines.vscode` promises to support.
set -euo pipefail
CS_VERSION=4.100.3
CS_DIR="${CS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/registry-lens/code-server}"
PKG="$CS_DIR/node_modules/code-server"

installed() {
  [ -f "$PKG/lib/vscode/out/server-main.js" ] &&
    [ -x "$PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] &&
    [ "$(node -p "require('$PKG/package.json').version" 2>/dev/null)" = "$CS_VERSION" ]
}

if installed; then
  echo "code-server $CS_VERSION: already installed in $CS_DIR"
  exit 0
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != 20 ]; then
  echo "code-server $CS_VERSION needs Node 20 (this is Node $(node -v)); install Node 20 and run again." >&2
  exit 1
fi
command -v rg >/dev/null || { echo "ripgrep (rg) is missing: run scripts/install-system.sh first." >&2; exit 1; }

# @vscode/ripgrep's postinstall would download rg from the internet unless its cache already holds the
# archive it wants; seed that cache with Debian's rg so nothing but the npm registry is contacted.
RG_CACHE="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE/stage"
cp "$(command -v rg)" "$RG_CACHE/stage/rg"
tar -C "$RG_CACHE/stage" -czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
rm -rf "$RG_CACHE/stage"

rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
cd "$CS_DIR"
echo '{"private":true}' > package.json
echo "code-server $CS_VERSION: installing into $CS_DIR (about 1-2 minutes)"
# build_from_source: argon2's node-pre-gyp would first try a prebuilt download from the internet.
# unsafe-perm/yes: as root, code-server's postinstall runs nested npm installs that need both.
npm_config_yes=true npm_config_build_from_source=true npm_config_unsafe_perm=true \
  npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"

if ! installed; then
  echo "code-server $CS_VERSION: install finished but $PKG is incomplete (lib/vscode or ripgrep missing)." >&2
  exit 1
fi
echo "code-server $CS_VERSION: installed in $CS_DIR"
