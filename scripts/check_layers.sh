#!/usr/bin/env bash
# Checks that advseg's folders depend on each other in one direction only
# (README, "Layout"). Each folder may include its own headers and those of
# the folders listed for it; anything else fails, naming the file and line.
# eval/ and train/ are siblings: neither includes the other.
set -euo pipefail
cd "$(dirname "$0")/../src/advseg"

declare -A allowed=(
  [io]=""
  [distributed]=""
  [config]="io"
  [data]="io config"
  [models]="io config"
  [inference]="io config data models"
  [eval]="io config data models inference"
  [train]="io config data models inference distributed"
  [run]="io config data models inference eval train distributed"
  [experiment]="io config data models inference eval train run"
  [report]="io config data models inference eval experiment run"
  [bench]="io config data models inference train"
  [cli]="io config data models inference eval train run experiment report bench distributed"
)

status=0
for folder in "${!allowed[@]}"; do
  [ -d "$folder" ] || continue
  # Included advseg folders other than the top-level headers (error.h, runtime.h).
  while IFS=: read -r file line include; do
    used=$(sed -E 's|.*"advseg/([a-z_]+)/.*|\1|' <<<"$include")
    [ "$used" = "$folder" ] && continue
    if [[ " ${allowed[$folder]} " != *" $used "* ]]; then
      echo "src/advseg/$file:$line: $folder/ may not include $used/ (${include#*#include })" >&2
      status=1
    fi
  done < <(grep -rnE '#include "advseg/[a-z_]+/' "$folder" || true)
done
[ $status -eq 0 ] && echo "check_layers: every include follows the layers"
exit $status
