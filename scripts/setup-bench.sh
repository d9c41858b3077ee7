#!/usr/bin/env bash
# Installs what `make bench` needs beyond scripts/setup.sh: PyTorch for
# Python (Debian's python3-torch, the same 1.13.1 engine as libtorch-dev), so
# the Python twin in bench/reference/ runs on the same build of the kernels.
# Idempotent: nothing happens when it is already installed.
set -euo pipefail

packages=(python3 python3-torch)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup-bench: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
