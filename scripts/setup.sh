#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package and pinned npm tool that the build, tests and benchmarks need,
# then configures and builds the Release build in build/. Run as root on Debian 12 (CI) or with
# sudo available. Never installs Debian's nodejs/npm: the machine image brings Node 20 + npm 11.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
phase_start=$(date +%s)
phase() {
  local now
  now=$(date +%s)
  echo "== setup: $1 (previous phase took $((now - phase_start))s)"
  phase_start=$now
}

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

phase "apt packages"
mapfile -t pkgs < <(grep -v '^#' scripts/packages.txt | sed '/^$/d')
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null

phase "npm tools (pinned, into .tools/npm)"
if command -v npm >/dev/null 2>&1; then
  mkdir -p .tools/npm
  (cd .tools/npm && [ -f package.json ] || echo '{"name":"agentbox-tools","private":true}' > package.json)
  npm install --prefix "$ROOT/.tools/npm" --no-audit --no-fund --loglevel=error --save-exact \
    secretlint@12.3.1 @secretlint/secretlint-rule-preset-recommend@12.3.1 robots-parser@3.0.1 \
    undici@6.21.3 \
    @microsoft/jest-sarif@1.0.0-beta.0 \
    >/dev/null
else
  echo "setup: npm not found; peer benchmarks that need secretlint or robots-parser will skip" >&2
fi

phase "configure + build (Release, build/)"
cmake --preset release >/dev/null
cmake --build build -j"$(nproc)"
phase "done"
