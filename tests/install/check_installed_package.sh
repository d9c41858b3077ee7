#!/usr/bin/env bash
# The installed package works for a project of its own: installs BUILD into a
# scratch prefix, builds examples/segment_image against it with
# find_package(advseg), trains a tiny checkpoint with the installed command,
# and checks that the example's mask of photo.png is byte for byte the one
# `advseg predict` writes.
#   check_installed_package.sh BUILD_DIR SOURCE_DIR [CMAKE_PREFIX_PATH]
set -euo pipefail
build=$(cd "$1" && pwd) source=$(cd "$2" && pwd) prefix_path=${3:-}
# A fixed folder (not mktemp), so that ccache sees the same include paths each run.
work=$build/install-check
rm -rf "$work" && mkdir -p "$work"
here=$(dirname "$0")

run() {  # run LOG COMMAND...: the command's output only when it fails
  local log=$work/$1; shift
  "$@" >"$log" 2>&1 || { echo "failed: $*"; cat "$log"; exit 1; }
}

run install.log cmake --install "$build" --prefix "$work/prefix"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
run configure.log cmake -S "$source/examples/segment_image" -B "$work/example" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix;$prefix_path" "${launcher[@]}"
run build.log cmake --build "$work/example"

advseg=$work/prefix/bin/advseg
run train.log "$advseg" train --out "$work/run" --threads 1 --set train.epochs=1 --set train.precision=fp32 \
  --set data.shapes_train_size=8 --set data.shapes_val_size=4 --set data.shapes_image_size=32 \
  --set data.crop_height=32 --set data.crop_width=32 --set model.segmentor_widths=[4,8,8] --set train.batch_size=4
run example.log "$work/example/segment_image" "$work/run/best" "$here/photo.png" "$work/mask.png"
run predict.log "$advseg" predict --checkpoint "$work/run/best" --input "$here/photo.png" --out "$work/predicted"
cat "$work/example.log"
cmp "$work/mask.png" "$work/predicted/photo.png"
echo "the installed package's example wrote the mask advseg predict writes"
