#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Re-runs an integration test binary as an unprivileged user. As root: creates the user
# `agentbox-test` if needed and stages the binaries in a world-readable directory (/root is
# mode 700). As a non-root caller: runs the tests directly as that caller.
# Usage: run_unprivileged.sh AGENTBOX PROBE TESTS SYSCALL_PROBE ESCAPE_PROBE [gtest args...]
set -euo pipefail
agentbox=$1 probe=$2 tests=$3 sysprobe=$4 escprobe=$5
shift 5
if [ "$(id -u)" != 0 ]; then
  exec env AGENTBOX_BIN="$agentbox" AGENTBOX_PROBE="$probe" AGENTBOX_SYSCALL_PROBE="$sysprobe" \
    AGENTBOX_ESCAPE_PROBE="$escprobe" "$tests" "$@"
fi
user=${AGENTBOX_TEST_USER:-agentbox-test}
if ! id "$user" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/sh "$user"
fi
stage=$(mktemp -d /var/tmp/agentbox-stage.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp "$agentbox" "$probe" "$tests" "$sysprobe" "$escprobe" "$stage/"
chmod 755 "$stage" "$stage"/*
home=$(getent passwd "$user" | cut -d: -f6)

# Delegate a cgroup subtree to the test user, as a platform team would: a directory per v1
# hierarchy agentbox needs (memory, pids, cpu, cpuacct, freezer) and one in the cgroup2
# mount, chowned to the user. The tests' own process moves into the cgroup2 subtree so that
# CLONE_INTO_CGROUP stays inside what the user owns (the cgroup2 delegation rule).
cg_name="agentbox-ci-$user"
export AGENTBOX_CGROUP_ROOT="/$cg_name"
for ctrl in memory pids cpu cpuacct freezer; do
  # mountinfo: "... mountpoint opts [optional fields] - fstype source superopts"
  mnt=$(awk -v c="$ctrl" '{split($0, h, " - "); split(h[2], t, " "); n = split(t[3], o, ",");
        for (i = 1; i <= n; i++) if (t[1] == "cgroup" && o[i] == c) {print $5; exit}}' \
        /proc/self/mountinfo)
  [ -n "$mnt" ] || continue
  mkdir -p "$mnt/$cg_name"
  chown -R "$user:" "$mnt/$cg_name"
done
unified=$(awk '{split($0, h, " - "); split(h[2], t, " "); if (t[1] == "cgroup2") {print $5; exit}}' \
  /proc/self/mountinfo)
if [ -n "$unified" ]; then
  mkdir -p "$unified/$cg_name/tests"
  chown -R "$user:" "$unified/$cg_name"
  echo $$ > "$unified/$cg_name/tests/cgroup.procs"
fi
cd /
exec runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$home" USER="$user" LANG=C.UTF-8 \
  ${AGENTBOX_CGROUP_ROOT:+AGENTBOX_CGROUP_ROOT="$AGENTBOX_CGROUP_ROOT"} \
  AGENTBOX_BIN="$stage/$(basename "$agentbox")" AGENTBOX_PROBE="$stage/$(basename "$probe")" \
  AGENTBOX_SYSCALL_PROBE="$stage/$(basename "$sysprobe")" \
  AGENTBOX_ESCAPE_PROBE="$stage/$(basename "$escprobe")" \
  "$stage/$(basename "$tests")" "$@"
