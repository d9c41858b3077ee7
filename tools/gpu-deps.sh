#!/usr/bin/env bash
# Packs what tools/gpu-check.sh needs to build advseg on a GPU machine that
# cannot install packages (the lent NVIDIA machines: PyTorch, nvcc, CMake and
# Ninja, but no OpenCV, yaml-cpp, CLI11, nlohmann-json, GoogleTest or Gloo
# headers, and no network). Run here, on Debian 12: downloads those Debian
# packages (not their whole dependency closure: OpenCV's pulls in 200 MB of
# GDAL and friends) and unpacks them into .gpu-deps/ (ignored by git), which
# the device tool then carries. gpu-check.sh says which libraries the GPU
# machine still lacks.
#   tools/gpu-deps.sh [FOLDER, default .gpu-deps]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.gpu-deps}
packages=(
  libopencv-core-dev libopencv-core406 libopencv-imgproc-dev libopencv-imgproc406
  libopencv-imgcodecs-dev libopencv-imgcodecs406
  libyaml-cpp-dev libyaml-cpp0.7 libcli11-dev nlohmann-json3-dev libgtest-dev libgloo-dev
  libpng-dev libjpeg62-turbo-dev libjpeg62-turbo
)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
chown _apt "$scratch" 2>/dev/null || true  # apt's downloader drops to the _apt user
(cd "$scratch" && apt-get download "${packages[@]}" >/dev/null)
rm -rf "$out" && mkdir -p "$out"
for deb in "$scratch"/*.deb; do dpkg-deb -x "$deb" "$out"; done
# Only what a build and its programs read: headers, shared libraries (static
# ones only for GoogleTest, which has no other), CMake and pkg-config files.
rm -rf "$out/usr/share/doc" "$out/usr/share/man" "$out/usr/src"
find "$out" -name '*.a' ! -name 'libgtest*.a' ! -name 'libgmock*.a' -delete
echo "packed ${#packages[@]} packages into $out: $(du -sh "$out" | cut -f1)"
