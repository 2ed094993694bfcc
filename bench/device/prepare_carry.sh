#!/usr/bin/env bash
# Prepare what a bare GPU machine (torch + transformers, no network) needs for bench/learning_bench.py, in pieces
# small enough to carry one per call (the device tool carries at most 64 MB a call):
#   carry/model/part_00 ...   the GGUF split into 60 MB pieces (+ model.sha256)
#   carry/wheels/, carry/wheels-big/   wheels for the machine's Python of what torch + transformers do not bring
# Usage: bench/device/prepare_carry.sh PYTHON_VERSION    e.g. 3.11 (ask the machine: python3 -V)
set -euo pipefail
cd "$(dirname "$0")/../.."
PYV=${1:?give the GPU machine\'s Python version, e.g. 3.11}
GGUF=models/qwen2.5-coder-0.5b-instruct.gguf
[ -f "$GGUF" ] || .venv/bin/python bench/fetch_qwen_coder.py
rm -rf carry && mkdir -p carry/model carry/wheels
split -b 60M -d -a 2 "$GGUF" carry/model/part_
sha256sum "$GGUF" | awk '{print $1}' > carry/model/model.sha256
# torch, transformers and their own dependencies (numpy, pyyaml, tqdm, safetensors, packaging, ...) are on the image;
# only the rest comes, without dependencies (`pip install --no-index` on the machine says if anything is missing).
EXTRA="pydantic pydantic-core annotated-types typing-inspection pyarrow accelerate psutil gguf pyseccomp
       matplotlib contourpy cycler fonttools kiwisolver pillow pyparsing python-dateutil six
       requests charset-normalizer idna urllib3 certifi tzdata"  # gguf needs requests; transformers 5 no longer does
.venv/bin/python -m pip download -q --no-deps -d carry/wheels $EXTRA --python-version "$PYV" \
  --only-binary=:all: --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux_2_28_x86_64 --platform any
# pyarrow alone is ~55 MB: it goes in its own call
mkdir -p carry/wheels-big && mv carry/wheels/pyarrow-* carry/wheels-big/
du -sh carry/model carry/wheels carry/wheels-big
