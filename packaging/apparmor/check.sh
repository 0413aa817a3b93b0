#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks packaging/apparmor/usr.bin.agentbox with apparmor_parser -Q (parse only, nothing is
# loaded). Debian 12's apparmor_parser 3.0 knows neither `abi <abi/4.0>` nor the AppArmor 4
# `userns,` rule, so this checks a copy without those two lines; the full profile is only
# checked on Ubuntu 24.04 (docs/sandbox.md). Exit 77 (ctest skip) without apparmor_parser.
set -euo pipefail
profile="$(dirname "$0")/usr.bin.agentbox"
parser=$(command -v apparmor_parser || true)
[ -n "$parser" ] || { echo "apparmor_parser not installed: skipped"; exit 77; }
grep -qx '  userns,' "$profile" || { echo "the profile lost its userns rule"; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
grep -v -e '^abi <abi/4.0>,' -e '^  userns,$' "$profile" > "$tmp"
if "$parser" --help 2>&1 | grep -q 'userns'; then
  "$parser" -Q "$profile"   # an AppArmor 4 parser checks the real thing
else
  "$parser" -Q "$tmp"
fi
echo "apparmor profile parses"
