# The two commands of README.md:  `make run`  and  `make test`.
# Both create .venv (Python 3.7 + pinned TF 1.15) and fetch and verify MNIST
# first; both steps are no-ops when already done. LANE=tf2 runs the same code
# on TensorFlow 2 (.venv-tf2, the machine's python3, requirements-tf2.txt).
SHELL := /bin/bash
LANE ?= tf1
ifeq ($(LANE),tf1)
VENV ?= .venv
else ifeq ($(LANE),tf2)
VENV ?= .venv-tf2
else
$(error LANE=$(LANE) is not a lane; use LANE=tf1 (TensorFlow 1.15, the default) or LANE=tf2)
endif
PY := $(VENV)/bin/python
DATA_DIR ?= data/mnist
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run test test-all test-slow test-docker test-horovod horovod reproduce bench pggan-study venv data clean help

help:
	@echo "make run    - set up, then train the study's 4-layer MNIST network (scripts/mnist_dnn.py --keep_prob=0.8)"
	@echo "make test   - set up, then the fast tier: every test not marked long (unit tests, a few end-to-end runs; <= 5 min on 2 quiet vCPUs)"
	@echo "make test-all - the long tier: the tests marked long (subprocess training runs, signals, resume, cluster, PGGAN)"
	@echo "make test-slow - the full-size reproductions (marked slow), in neither tier"
	@echo "make reproduce - the study's runs at original settings, 3 seeds, then results/REPORT.md (LANE=tf2: on TF 2, runs-tf2/, both lanes in the report)"
	@echo "make test-docker - build docker/Dockerfile on a local base, run the tests and an experiment in it (root; docs/docker.md)"
	@echo "make horovod - build Horovod (requirements-horovod.txt) into the TF 1.15 venv: needs Open MPI, g++, cmake (docs/distributed.md)"
	@echo "make test-horovod - make horovod, then tests/test_horovod.py (mpirun -np 2 against one process)"
	@echo "LANE=tf2   - any of these on TensorFlow 2.21 (.venv-tf2, python3 3.10-3.13), e.g. make test LANE=tf2"
	@echo "make pggan-study - PGGAN section 6.2 at CPU scale (issue 28): progressive vs non-progressive on MNIST-32, 5 seeds each, 200 training CPU s per run, the arms of a seed in parallel (one thread each); results/pggan/REPORT.md (docs/pggan.md; LANE=tf2 is the study's lane)"
	@echo "make bench  - training images/s of dnn4, cnn, cnn-swu per input path (figures in results/bench.json)"

venv:
	@LANE=$(LANE) VENV=$(VENV) bash tools/bootstrap.sh

data: venv
	@$(PY) scripts/fetch_mnist.py --data_dir=$(DATA_DIR)

run: data
	$(PY) scripts/mnist_dnn.py --keep_prob=0.8 --data_dir=$(DATA_DIR)

# A tier's time, with what it depends on: the CPU and the load average at its end
# (pytest's own summary line adds the sum of the tests' durations and their CPU time).
TIMED = t0=$$(date +%s); rc=0; $(1) || rc=$$?; \
	echo "make $(2) (LANE=$(LANE)): $$(($$(date +%s) - t0)) s wall, exit $$rc; $$(nproc) CPUs, \
	$$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); load average $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	exit $$rc

test: data
	@$(call TIMED,$(PY) -m pytest tests -m "not long" $(PYTEST_ARGS),test)

test-all: data
	@$(call TIMED,$(PY) -m pytest tests -m long $(PYTEST_ARGS),test-all)

test-slow: data
	$(PY) -m pytest tests -m slow --run-slow $(PYTEST_ARGS)

reproduce: data
	$(PY) scripts/reproduce.py --lane=$(LANE) --data_dir=$(DATA_DIR) $(REPRODUCE_ARGS)

# Builds docker/Dockerfile without Docker Hub and runs the suite inside it
# (docker/ci-build.sh says how); needs root. data: the container mounts data/mnist.
test-docker: data
	VENV=$(VENV) bash docker/ci-build.sh

# Horovod on the TF 1.15 lane, compiled against the venv's TensorFlow and the machine's Open MPI.
horovod: venv
	@HOROVOD=1 LANE=$(LANE) VENV=$(VENV) bash tools/bootstrap.sh

test-horovod: horovod data
	@$(call TIMED,$(PY) -m pytest tests/test_horovod.py $(PYTEST_ARGS),test-horovod)

bench: data
	$(PY) scripts/benchmark.py $(BENCH_ARGS)

# The runs use one thread each (OMP too), two at a time: see docs/pggan.md.
pggan-study: data
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) scripts/pggan_study.py --out_dir=results/pggan $(PGGAN_STUDY_ARGS)

clean:
	rm -rf $(VENV) results runs .pytest_cache
