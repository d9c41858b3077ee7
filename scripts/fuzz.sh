#!/usr/bin/env bash
# Fuzzes every parser of untrusted input (fuzz/, one target per parser):
# builds build-fuzz with clang (libFuzzer, ASan, UBSan, no LibTorch), replays
# each committed corpus fuzz/corpus/<target>/, then fuzzes each target for
# SECONDS on a scratch copy of its corpus, so the committed one never grows;
# the targets run in parallel, one per core (FUZZ_JOBS).
# Any crash, sanitizer finding, broken invariant, hang or leak fails the run;
# the input that caused it is left in build-fuzz/findings/.
# Usage: scripts/fuzz.sh [SECONDS per target, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
build="${ADVSEG_FUZZ_BUILD:-build-fuzz}"
targets=()
for corpus in fuzz/corpus/*/; do targets+=("$(basename "$corpus")"); done

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DADVSEG_FUZZ=ON -DADVSEG_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build "$build" --target "${targets[@]}"

# -timeout: an input that takes seconds is a hang worth reporting.
export UBSAN_OPTIONS=print_stacktrace=1
options=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
scratch="$build/scratch" findings="$build/findings" logs="$build/logs"
rm -rf "$scratch" "$logs"
mkdir -p "$scratch" "$findings" "$logs"

# run_target TARGET: replay, then fuzz. Prints its summary line, and on a
# finding the end of the log (the sanitizer report) on stderr.
run_target() {
  local target="$1" fuzzer="$build/fuzz/$1" log="$logs/$1.log"
  local -a target_options=("${options[@]}" "-artifact_prefix=$findings/$target-")
  [ -f "fuzz/$target.dict" ] && target_options+=("-dict=fuzz/$target.dict")
  cp -r "fuzz/corpus/$target" "$scratch/$target"
  if ! "$fuzzer" "${target_options[@]}" -runs=0 "fuzz/corpus/$target" >"$log" 2>&1 ||
    ! "$fuzzer" "${target_options[@]}" -max_total_time="$seconds" "$scratch/$target" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "$target: FAILED (log: $log, input: $findings/$target-*)"
    return 1
  fi
  local execs
  execs="$(awk '/stat::number_of_executed_units/ {n = $2} END {print n}' "$log")"
  echo "$target: $execs execs, 0 crashes"
}

# The targets run side by side, one per core; each prints its summary line
# into its own file.
jobs="${FUZZ_JOBS:-$(nproc)}"
running=0
for target in "${targets[@]}"; do
  echo "fuzz: $target (replay fuzz/corpus/$target, then ${seconds} s)"
  run_target "$target" >"$logs/$target.summary" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true
failed=0
echo "fuzz summary:"
for target in "${targets[@]}"; do
  line="$(cat "$logs/$target.summary")"
  echo "  ${line:-$target: FAILED (no summary; log: $logs/$target.log)}"
  case "$line" in *"0 crashes") ;; *) failed=1 ;; esac
done
exit "$failed"
