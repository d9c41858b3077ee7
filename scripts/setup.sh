#!/usr/bin/env bash
# Installs advseg's build and test dependencies from Debian 12 packages;
# with --checks also the fuzzing and sanitizer tools, with --bench what
# `make bench` needs, with --format only clang-format (`make format-check`).
# Idempotent and cheap when nothing is missing: each package is looked up
# with dpkg-query, and apt-get (update, then install) runs only for missing
# ones. Run as root (or with sudo available).
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache pkg-config clang-format
  libtorch-dev            # the engine (LibTorch 1.13.1 on Debian 12)
  libgloo-dev             # headers of Gloo, c10d's CPU collectives (distributed training)
  libopenblas0-openmp     # fast BLAS for LibTorch's matrix products
  libopencv-imgcodecs-dev libopencv-imgproc-dev  # JPEG/PNG decoding, resizing
  libpng-dev              # label masks read as raw palette indices; PNG photos decoded strictly
  libjpeg-dev             # JPEG photos decoded strictly (corrupt data refused, not greyed over)
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev
  libgtest-dev
  python3-torchvision     # parity tests against torchvision (with python3-torch, whose torchrun
                          # launches the distributed tests)
  chromium                # the HTML report's test in a real (headless) browser
)

# `setup.sh --checks` adds what `make fuzz` needs (`make test-sanitize` uses
# GCC's sanitizer runtimes, which come with g++).
checks_packages=(
  clang                   # libFuzzer needs clang (clang 14 on Debian 12)
  libclang-rt-dev         # libclang-rt-14-dev: libFuzzer and clang's sanitizer runtimes
  llvm                    # llvm-symbolizer: file:line in the fuzzers' reports
)
# `setup.sh --bench` adds PyTorch for Python (Debian's python3-torch, the same
# 1.13.1 engine as libtorch-dev), so the twin in bench/reference/ runs on the
# same build of the kernels.
bench_packages=(python3 python3-torch)

case "${1:-}" in
  --checks) packages+=("${checks_packages[@]}") ;;
  --bench) packages+=("${bench_packages[@]}") ;;
  --format) packages=(clang-format) ;;
  "") ;;
  *) echo "usage: $0 [--checks | --bench | --format]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
