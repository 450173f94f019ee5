# The two commands of README.md:  `make run`  and  `make test`.
# Both create .venv (Python 3.7 + pinned TF 1.15) and fetch and verify MNIST
# first; both steps are no-ops when already done.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
DATA_DIR ?= data/mnist
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run test test-slow bench venv data clean help

help:
	@echo "make run    - set up, then train the study's 4-layer MNIST network (scripts/mnist_dnn.py --keep_prob=0.8)"
	@echo "make test   - set up, then run the default test suite"
	@echo "make test-slow - the long reproductions (marked slow), not part of make test"
	@echo "make bench  - training images/s of mlp, cnn, cnn-swu per input path (figures in results/bench.json)"

venv:
	@VENV=$(VENV) bash tools/bootstrap.sh

data: venv
	@$(PY) scripts/fetch_mnist.py --data_dir=$(DATA_DIR)

run: data
	$(PY) scripts/mnist_dnn.py --keep_prob=0.8 --data_dir=$(DATA_DIR)

test: data
	$(PY) -m pytest tests $(PYTEST_ARGS)

test-slow: data
	$(PY) -m pytest tests -m slow --run-slow $(PYTEST_ARGS)

bench: data
	$(PY) scripts/benchmark.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) results runs .pytest_cache
