#!/usr/bin/env bash
# Proves advseg's CUDA paths on a machine with one NVIDIA GPU, in one run:
#   1. builds the CUDA configuration against that machine's PyTorch (python3's
#      torch, or $ADVSEG_PYTHON's), with ccache where there is one, and only the
#      targets below (the command, the training and collectives tests);
#   2. runs the tests that need a GPU: a training step on CUDA against the CPU
#      step, the device checks, bf16 autocast, and the NCCL process group
#      (one worker: a sum on the GPU);
#   3. trains the demo's network for two epochs on the GPU, resumes it for a
#      third (the CUDA RNG state travels in the checkpoint), and evaluates it;
#   4. writes everything to one folder: RESULTS (default $OUT, else gpu-check/),
#      with summary.txt listing each step's status and time.
# A GPU machine without Debian's development packages gets them from
# .gpu-deps/ (tools/gpu-deps.sh makes it on Debian 12; carry it along).
#   tools/gpu-check.sh [RESULTS]
# Each step runs even when an earlier one failed (but for what the build
# gates); the exit status is the number of failed steps.
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mkdir -p "${1:-${OUT:-gpu-check}}" && cd "${1:-${OUT:-gpu-check}}" && pwd)
build=${ADVSEG_GPU_BUILD:-build-gpu}
python=${ADVSEG_PYTHON:-$(command -v python3)}
failures=0
: >"$results/summary.txt"

step() {  # step NAME COMMAND...: runs it, its output in RESULTS/NAME.log
  local name=$1 start=$SECONDS status=0
  shift
  "$@" >"$results/$name.log" 2>&1 || status=$?
  printf '%-10s %-6s %4ds\n' "$name" "$([ $status -eq 0 ] && echo ok || echo FAILED)" $((SECONDS - start)) |
    tee -a "$results/summary.txt"
  [ $status -eq 0 ] || { failures=$((failures + 1)); tail -n 30 "$results/$name.log"; }
  return $status
}

environment() {
  nvidia-smi
  "$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))'
  nvcc --version | tail -n 1
  g++ --version | head -n 1
  cmake --version | head -n 1
}

configure() {
  local deps=$PWD/.gpu-deps prefix
  prefix=$("$python" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
  [ -d "$deps" ] && prefix="$deps/usr;$prefix"
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADVSEG_PYTHON="$python" \
    -DCMAKE_PREFIX_PATH="$prefix" "${launcher[@]}"
}

compile() {
  cmake --build "$build" -j "$(nproc)" --target advseg_cli test_train test_collectives
  # Libraries the programs cannot find (carried ones are on LD_LIBRARY_PATH).
  ! ldd "$build/advseg" | grep 'not found'
}

gpu_tests() {
  "$build/tests/train/test_train" --gtest_filter='Device.*:Autocast.*:Precision.*:GradScaler.*' &&
    "$build/tests/distributed/test_collectives" --gtest_filter='Collectives.Nccl*'
}

train_on_gpu() {
  local run=$results/demo_run
  rm -rf "$run"
  local tiny=(--device cuda --set data.shapes_train_size=256 --set data.shapes_val_size=64)
  "$build/advseg" train --out "$run" "${tiny[@]}" --set train.epochs=2 &&
    "$build/advseg" train --out "$run" --resume "$run/last" "${tiny[@]}" --set train.epochs=3 &&
    "$build/advseg" eval --checkpoint "$run/best" --device cuda --out "$results/demo_eval.json" &&
    # fp16 autocast with the gradient scaler, resumed with the scaler's state.
    rm -rf "$run-fp16" &&
    "$build/advseg" train --out "$run-fp16" "${tiny[@]}" --set train.precision=fp16 --set train.epochs=1 &&
    "$build/advseg" train --out "$run-fp16" --resume "$run-fp16/last" "${tiny[@]}" --set train.epochs=2
}

[ -d .gpu-deps ] && export LD_LIBRARY_PATH="$PWD/.gpu-deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
step environment environment
if step configure configure && step build compile; then
  step gpu_tests gpu_tests
  step train train_on_gpu
fi
echo "results in $results (summary.txt); $failures step(s) failed"
exit "$failures"
