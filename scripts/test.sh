#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole suite through ctest:
#   0. clang-format (the repo's .clang-format) over every C and C++ source;
#   1. the Release build's unit and integration tests, as the invoking user (root in CI);
#   2. the sandbox integration tests again as an unprivileged user (ctest label unprivileged;
#      as root the test stages the binaries in a world-readable dir and uses `agentbox-test`);
#   3. an ASan+UBSan build of every unit test;
#   4. bounded libFuzzer runs of every fuzz target (clang-14), AGENTBOX_FUZZ_SECONDS each.
# Each phase prints its duration. Run ./scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=$(nproc)
FUZZ_SECONDS=${AGENTBOX_FUZZ_SECONDS:-20}
phase_start=$(date +%s)
suite_start=$phase_start
phase() {
  local now
  now=$(date +%s)
  echo "== test: $1 (previous phase took $((now - phase_start))s)"
  phase_start=$now
}

phase "clang-format check"
# shellcheck disable=SC2046  # one file per word
clang-format --dry-run --Werror $(git ls-files '*.c' '*.cc' '*.h')

phase "release build"
cmake --preset release >/dev/null
cmake --build build -j"$JOBS"

phase "unit + integration tests (as $(id -un))"
ctest --test-dir build --output-on-failure -j"$JOBS" -LE unprivileged

phase "sandbox integration tests as an unprivileged user"
ctest --test-dir build --output-on-failure -L unprivileged

phase "ASan+UBSan unit tests"
cmake --preset asan-ubsan >/dev/null
unit_targets=$(sed -n 's/^agentbox_unit_tests(\([a-z]*\) .*/\1_tests/p' tests/CMakeLists.txt)
# shellcheck disable=SC2086  # one target per word
cmake --build build-asan -j"$JOBS" --target $unit_targets
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$JOBS" -L unit

phase "fuzz targets (${FUZZ_SECONDS}s each)"
cmake --preset fuzz >/dev/null
cmake --build build-fuzz -j"$JOBS"
shopt -s nullglob
for target in build-fuzz/fuzz/*_fuzz; do
  name=$(basename "$target")
  corpus_src="$ROOT/fuzz/corpus/${name%_fuzz}"
  work=$(mktemp -d)
  [ -d "$corpus_src" ] && cp -r "$corpus_src/." "$work/"
  echo "-- $name"
  "$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
    "$work" 2>&1 | tail -n 3
  rm -rf "$work"
done

phase "done"
echo "== test: whole suite took $(( $(date +%s) - suite_start ))s"
