#!/usr/bin/env bash
# On the GPU machine, from the repository root, after carry/model/, carry/wheels/ and carry/wheels-big/ were copied to
# $STAGE (default /tmp/azr-stage): install the wheels, rebuild and check the GGUF, run the learning bench, and leave
# its results in $OUT (the device tool brings $OUT back).
# Usage: bench/device/run_learning.sh [extra learning_bench.py arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
STAGE=${STAGE:-/tmp/azr-stage}
OUT=${OUT:-/tmp/azr-out}
PY=${PYTHON:-python3}
mkdir -p "$OUT" models
$PY -m pip install -q --no-index --find-links "$STAGE/wheels" --find-links "$STAGE/wheels-big" \
  -r bench/requirements-bare-gpu.txt
GGUF=models/qwen2.5-coder-0.5b-instruct.gguf
if [ ! -f "$GGUF" ]; then
  cat "$STAGE"/model/part_* > "$GGUF.tmp"
  [ "$(sha256sum "$GGUF.tmp" | awk '{print $1}')" = "$(cat "$STAGE/model/model.sha256")" ] \
    || { echo "the reassembled GGUF has the wrong sha256: a part is missing or damaged" >&2; exit 3; }
  mv "$GGUF.tmp" "$GGUF"
fi
nvidia-smi --query-gpu=name,memory.total,memory.used --format=csv 2>&1 | tee "$OUT/gpu.txt" || true
export AZR_CACHE=${AZR_CACHE:-/tmp/azr-cache} TOKENIZERS_PARALLELISM=false
$PY bench/learning_bench.py --config configs/qwen2.5-coder-0.5b-1gpu.yaml --out "$OUT/learning" "$@" \
  2>&1 | tee "$OUT/learning.log"
rm -rf "$OUT/learning/home/runs"/*/checkpoints  # GBs of weights; the numbers and curves are what comes back
