#!/usr/bin/env bash
# Installs the Debian packages the test tiers and the demo need. Idempotent: installs only what is missing.
#   docker-registry   the CNCF distribution registry (run as a plain process by test/services)
#   apache2-utils     htpasswd -B for the htpasswd registries
#   busybox-static    a static busybox, the payload of the runnable seeded images
#   docker.io         dockerd, started on a private socket for the local-engine tests
#   docker-compose    compose v1, for the compose path of updating a container (`up -d --no-deps SERVICE`)
#   golang-docker-credential-helpers, pass, gnupg   a real credential helper (docker-credential-pass) for the credential tests
#   chromium          drives code-server's workbench (playwright-core, never `playwright install`)
#   libkrb5-dev       code-server's kerberos module builds against it
#   ripgrep           code-server's search; also seeds @vscode/ripgrep so its install downloads nothing
#   openssl, curl, iproute2, util-linux   certificates, readiness checks, the loopback-only namespace
set -euo pipefail
PKGS="docker-registry apache2-utils busybox-static docker.io docker-compose chromium libkrb5-dev ripgrep openssl curl iproute2 util-linux ca-certificates golang-docker-credential-helpers pass gnupg"
missing=()
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${missing[*]}"
