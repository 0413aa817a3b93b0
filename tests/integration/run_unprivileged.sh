#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Re-runs an integration test binary as an unprivileged user. As root: creates the user
# `agentbox-test` if needed and stages the binaries in a world-readable directory (/root is
# mode 700). As a non-root caller: runs the tests directly as that caller.
# Usage: run_unprivileged.sh AGENTBOX PROBE TESTS [gtest args...]
set -euo pipefail
agentbox=$1 probe=$2 tests=$3
shift 3
if [ "$(id -u)" != 0 ]; then
  exec env AGENTBOX_BIN="$agentbox" AGENTBOX_PROBE="$probe" "$tests" "$@"
fi
user=${AGENTBOX_TEST_USER:-agentbox-test}
if ! id "$user" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/sh "$user"
fi
stage=$(mktemp -d /var/tmp/agentbox-stage.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp "$agentbox" "$probe" "$tests" "$stage/"
chmod 755 "$stage" "$stage"/*
home=$(getent passwd "$user" | cut -d: -f6)
cd /
exec runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$home" USER="$user" LANG=C.UTF-8 \
  ${AGENTBOX_CGROUP_ROOT:+AGENTBOX_CGROUP_ROOT="$AGENTBOX_CGROUP_ROOT"} \
  AGENTBOX_BIN="$stage/$(basename "$agentbox")" AGENTBOX_PROBE="$stage/$(basename "$probe")" \
  "$stage/$(basename "$tests")" "$@"
