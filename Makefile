# spy: a SmallWorld VM with a meta-tracing JIT (RPython).
#
#   make          build ./spy (JIT) and the default image, run the demo
#   make test     build everything and run the whole test suite
#   make spy-nojit / make image / make bench / make clean
#   make compare REFVMS=path/to/smalltalk-tng   spy against the reference VMs
#   make results [REFVMS=...]   measure and refresh docs/results.md
#   make profile BENCH=richards  profile one benchmark (flame graph in build/)

PY2 := $(shell PYENV_VERSION=2.7.18 pyenv which python 2>/dev/null || command -v python2.7 2>/dev/null)
VENV := .venv
PYTHON := $(VENV)/bin/python
PYTHON3 ?= python3
# the harness's own Python 3 environment (matplotlib for the charts)
VENV3 := .venv3
PY3 := $(VENV3)/bin/python
SOURCES := targetsmalltalk.py $(wildcard spyvm/*.py spyvm/primitives/*.py)
IMAGE_SOURCES := $(wildcard images/source/*.st) $(wildcard spyvm/bootstrap/*.py)
RPYTHON := $(PYTHON) -m rpython --batch
BENCH_ITERATIONS ?= 10
BENCH_PROCESSES ?= 3

.PHONY: all demo test test-traces-0 test-traces-1 test-others test-fast image bench tiny-histories compare refvms results profile jitperf clean fuzz fuzz-slice

all: spy image demo

demo: spy image
	./spy images/demo.st

$(VENV3)/.done:
	$(PYTHON3) -m venv $(VENV3)
	$(VENV3)/bin/pip install -q 'matplotlib>=3.5,<4'
	touch $@

$(VENV)/.done:
	@if [ -z "$(PY2)" ]; then \
	  echo "spy needs CPython 2.7 for RPython: install it with 'pyenv install 2.7.18' (or a python2.7 on PATH)"; \
	  exit 1; fi
	$(PY2) -m pip install -q 'virtualenv<20.22'
	$(PY2) -m virtualenv -q $(VENV)
	$(VENV)/bin/pip install -q rpython==0.2.1 pytest==4.6.11
	touch $@

# The image first (order-only): its bootstrap imports rffi, which writes
# RPython's shared rpython/_cache, and every translation deletes that
# directory when it starts (tools/translate.py), so under make -j the two
# could race and the bootstrap fail
spy: $(VENV)/.done $(SOURCES) | images/spy.image
	@mkdir -p build
	$(PYTHON3) tools/translate.py build/spy.log spy -- \
	  $(RPYTHON) -Ojit --output=spy targetsmalltalk.py

spy-nojit: $(VENV)/.done $(SOURCES) | images/spy.image
	@mkdir -p build
	$(PYTHON3) tools/translate.py build/spy-nojit.log spy-nojit -- \
	  $(RPYTHON) -O2 --output=spy-nojit targetsmalltalk.py

image: images/spy.image

images/spy.image: $(VENV)/.done $(IMAGE_SOURCES)
	$(PYTHON) -m spyvm.bootstrap $@

# the whole suite in three parts that `make -j3 test` runs side by side:
# the trace tests in two halves (each with its own shared JIT translation,
# tests/jit/jitworld.py; a line per test, to show where the time goes) and
# the rest.  All wait for the translations, which clear
# RPython's cache that the tests read
test: test-traces-0 test-others test-traces-1

test-traces-0 test-traces-1: test-traces-%: spy spy-nojit image
	SPY_TRACE_PART=$*/2 $(PYTHON) -m pytest -v tests/jit/test_jit.py

test-others: spy spy-nojit image
	$(PYTHON) -m pytest -q tests/ --ignore=tests/jit/test_jit.py

test-fast: $(VENV)/.done image
	$(PYTHON) -m pytest -q tests/ --ignore=tests/jit

# IMAGE=path/to/SmallWorld/image to measure on the real image
IMAGE ?= images/spy.image
# sizes grow until spy's steady iterations take at least this many ms
BENCH_CALIBRATE ?= 50
BENCH_OUT ?= bench/results
# iterations timed by the arrival of the runner's lines, where they agree
# with the VM's own ms (bench/clock.py); `vm` for the image's ms clock
BENCH_CLOCK ?= lines
# --jit-events and RPython's log of major-collection steps (on stderr, joined
# to stdout so that it stays in order with the BENCH lines) let the harness
# name the iterations in which the JIT or the GC worked (bench/README.md)
GC_LOG = PYPYLOG=gc-collect-step:-
SPY_VMS = --vm spy='$(GC_LOG) ./spy --jit-events {image} {files} 2>&1' \
	  --vm nojit='$(GC_LOG) ./spy-nojit {image} {files} 2>&1' \
	  --vm nopic='$(GC_LOG) ./spy --no-pic --jit-events {image} {files} 2>&1' --baseline nojit
bench: spy spy-nojit image $(VENV3)/.done
	$(PY3) bench/harness.py --image $(IMAGE) $(SPY_VMS) \
	  --iterations $(BENCH_ITERATIONS) --processes $(BENCH_PROCESSES) \
	  --calibrate $(BENCH_CALIBRATE) --history spy --noise-floor --floor-vm spy \
	  --clock $(BENCH_CLOCK) --out $(BENCH_OUT)

# tinyBenchmarks' 5th run in one process after four histories (issue 7)
tiny-histories: spy spy-nojit image $(VENV3)/.done
	$(PY3) bench/harness.py --image $(IMAGE) $(SPY_VMS) -b tinyBenchmarks \
	  --processes 1 --tiny-histories --setups 3 --startup-runs 0 --out bench/tiny-histories

# The reference VMs of a smalltalk-tng checkout (REFVMS=path), patched and built
# in bench/refvms/build; `make compare` runs them beside spy on the checkout's image.
REFVMS_BUILD := bench/refvms/build
COMPARE_OUT ?= bench/compare
# Every VM runs at its own calibrated size (steady iterations >= 50 ms, not
# much more) and is compared per unit of size; each VM has a time budget
# (seconds for the whole suite) that limits its processes after the first,
# so that `make compare` takes under 30 minutes (bench/README.md)
COMPARE_BUDGET ?= 180
COMPARE_ARGS = --vm-iterations spy=20 --vm-iterations nopic=20 --vm-iterations racket=5 \
	  --tiny-runs 3 --budget $(COMPARE_BUDGET) --linearity nojit
refvms: $(VENV3)/.done
	@if [ -z "$(REFVMS)" ]; then echo "usage: make refvms REFVMS=path/to/smalltalk-tng"; exit 2; fi
	$(PY3) bench/refvms/setup.py $(REFVMS) --out $(REFVMS_BUILD)

compare: spy spy-nojit $(VENV3)/.done
	@if [ -z "$(REFVMS)" ]; then echo "usage: make compare REFVMS=path/to/smalltalk-tng"; exit 2; fi
	$(PY3) bench/refvms/setup.py $(REFVMS) --out $(REFVMS_BUILD)
	$(PY3) bench/harness.py --refvms $(REFVMS_BUILD) $(SPY_VMS) \
	  --iterations $(BENCH_ITERATIONS) --processes $(BENCH_PROCESSES) $(COMPARE_ARGS) \
	  --calibrate $(BENCH_CALIBRATE) --clock $(BENCH_CLOCK) --out $(COMPARE_OUT)

# docs/results.md: `make results REFVMS=path` (the full comparison) or
# `make results` (spy only, make bench)
results: $(VENV3)/.done
	@if [ -n "$(REFVMS)" ]; then $(MAKE) compare REFVMS=$(REFVMS); \
	  else $(MAKE) bench; fi
	$(PY3) bench/results_md.py $(if $(REFVMS),$(COMPARE_OUT),$(BENCH_OUT)) docs/results.md \
	  --make-command "make results$(if $(REFVMS), REFVMS=$(REFVMS))"

# A sampling profile of one benchmark (spy --profile) and its report:
# hottest methods on stdout, build/BENCH.folded and the flame graph build/BENCH.svg
BENCH ?= richards
PROFILE_ARGS ?=
profile: spy image
	$(PYTHON3) tools/profile_bench.py $(BENCH) --spy ./spy --image $(IMAGE) --out build $(PROFILE_ARGS)

# The same benchmark under Linux perf, samples by JIT loop and bridge
# (tools/jitperf.py; PROFILE_ARGS='--ops' for JIT operations)
jitperf: spy image
	$(PYTHON3) tools/profile_bench.py $(BENCH) --jit-perf --spy ./spy --image $(IMAGE) --out build $(PROFILE_ARGS)

# fuzzing campaign (docs/fuzzing.md): needs ./spy and ./spy-nojit built;
# SMALLWORLD_IMAGE adds the real image's families.  One case per core at a time.
FUZZ_SEED ?= 1
FUZZ_MINUTES ?= 30
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_ARGS ?=
SPY ?= ./spy
SPY_NOJIT ?= ./spy-nojit
fuzz: image
	$(PYTHON3) -m tools.fuzz run --seed $(FUZZ_SEED) --minutes $(FUZZ_MINUTES) \
	  --jobs $(FUZZ_JOBS) --spy $(SPY) --spy-nojit $(SPY_NOJIT) $(FUZZ_ARGS)

fuzz-slice: image
	$(PYTHON3) -m tools.fuzz slice --spy $(SPY) --spy-nojit $(SPY_NOJIT)

clean:
	rm -rf spy spy-nojit images/spy.image build bench/results bench/compare bench/tiny-histories $(REFVMS_BUILD)
