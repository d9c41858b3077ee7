#!/usr/bin/env bash
# The built-in demo: the same segmentor trained on the synthetic shapes data
# twice, with cross-entropy alone and with the adversary, then both sets of
# validation metrics side by side, and runs/demo/report.html comparing them
# (learning curves, metrics, confusion matrices, predictions, configs).
# Usage: scripts/demo.sh [path/to/advseg]
set -euo pipefail
cd "$(dirname "$0")/.."
advseg=${1:-build/advseg}
out=runs/demo
rm -rf "$out"

"$advseg" train --config configs/shapes.yaml --out "$out/standard" --set adversarial.enabled=false
"$advseg" train --config configs/shapes.yaml --out "$out/adversarial"
echo
echo "Shapes validation set, standard vs adversarial training (configs/shapes.yaml):"
"$advseg" compare standard="$out/standard/metrics.json" adversarial="$out/adversarial/metrics.json"
"$advseg" report "$out/standard" "$out/adversarial" --out "$out/report.html"
echo "open $out/report.html in a browser for curves, confusion matrices and predictions side by side"
