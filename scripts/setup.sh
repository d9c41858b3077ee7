#!/usr/bin/env bash
# Installs advseg's dependencies: Debian 12 packages (the compiler, CMake, the
# libraries for images, config and tests), and PyTorch from PyPI into the
# project's virtual environment .venv (scripts/requirements.txt: LibTorch for
# the build, torchvision, onnxruntime). With --checks also the fuzzing tools,
# with --format only clang-format (`make format-check`), with --bench also
# segmentation-models-pytorch (scripts/requirements-bench.txt, `make bench`).
# Idempotent and cheap when nothing is missing: each package is looked up with
# dpkg-query, apt-get runs only for missing ones; .venv is reused while it
# holds exactly the pinned versions. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ ccache pkg-config clang-format
  python3 python3-venv    # makes .venv where no other Python 3.10+ is first on the PATH
  libgloo-dev             # headers of Gloo, c10d's CPU collectives (the wheel has its library, not its headers)
  libopencv-imgcodecs-dev libopencv-imgproc-dev  # JPEG/PNG decoding, resizing
  libpng-dev              # label masks read as raw palette indices; PNG photos decoded strictly
  libjpeg-dev             # JPEG photos decoded strictly (corrupt data refused, not greyed over)
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev
  libgtest-dev
  chromium                # the HTML report's test in a real (headless) browser
)

# `setup.sh --checks` adds what `make fuzz` needs (`make test-sanitize` uses
# GCC's sanitizer runtimes, which come with g++).
checks_packages=(
  clang                   # libFuzzer needs clang (clang 14 on Debian 12)
  libclang-rt-dev         # libclang-rt-14-dev: libFuzzer and clang's sanitizer runtimes
  llvm                    # llvm-symbolizer: file:line in the fuzzers' reports
)

python_env=true
bench_env=false
case "${1:-}" in
  --checks) packages+=("${checks_packages[@]}") python_env=false ;;
  --format) packages=(clang-format) python_env=false ;;
  --bench) bench_env=true ;;
  "") ;;
  *) echo "usage: $0 [--checks | --format | --bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# .venv holds the pinned PyTorch (3.1 GB to download, 5.5 GB installed:
# docs/reliability.md). The copy of requirements.txt inside it says what it
# holds; any other content, or a failed install, builds it anew.
venv=.venv
uv_version=0.13.10
if $python_env && ! cmp -s scripts/requirements.txt "$venv/advseg-requirements.txt"; then
  python="${ADVSEG_SETUP_PYTHON:-python3}"
  echo "setup: installing PyTorch into $venv ($(grep -v '^#' scripts/requirements.txt | tr '\n' ' '))"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # uv installs from its cache (~/.cache/uv) by hard links: under a second for
  # a fresh clone on a machine that installed before, where pip unpacks the
  # 3.1 GB of wheels again (2.5 minutes). --native-tls: the system's
  # certificates, as pip uses them.
  "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check --no-input "uv==$uv_version"
  "$venv/bin/uv" pip install --quiet --native-tls --python "$venv/bin/python3" -r scripts/requirements.txt
  cp scripts/requirements.txt "$venv/advseg-requirements.txt"
fi

# The benchmark's extra comparison (segmentation-models-pytorch), on top of
# the environment above; its copy in .venv says it is there.
if $bench_env && ! cmp -s scripts/requirements-bench.txt "$venv/advseg-requirements-bench.txt"; then
  echo "setup: installing $(grep -v '^#' scripts/requirements-bench.txt | tr '\n' ' ')into $venv"
  "$venv/bin/uv" pip install --quiet --native-tls --python "$venv/bin/python3" \
    -r scripts/requirements.txt -r scripts/requirements-bench.txt
  cp scripts/requirements-bench.txt "$venv/advseg-requirements-bench.txt"
fi
