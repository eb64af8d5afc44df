# spy: a SmallWorld VM with a meta-tracing JIT (RPython).
#
#   make          build ./spy (JIT) and the default image, run the demo
#   make test     build everything and run the whole test suite
#   make spy-nojit / make image / make bench / make clean

PY2 := $(shell PYENV_VERSION=2.7.18 pyenv which python 2>/dev/null || command -v python2.7 2>/dev/null)
VENV := .venv
PYTHON := $(VENV)/bin/python
PYTHON3 ?= python3
SOURCES := targetsmalltalk.py $(wildcard spyvm/*.py)
IMAGE_SOURCES := $(wildcard images/source/*.st) $(wildcard spyvm/bootstrap/*.py)
RPYTHON := $(PYTHON) -m rpython --batch
BENCH_ITERATIONS ?= 10
BENCH_PROCESSES ?= 3

.PHONY: all demo test test-fast image bench clean fuzz fuzz-slice

all: spy image demo

demo: spy image
	./spy images/demo.st

$(VENV)/.done:
	@if [ -z "$(PY2)" ]; then \
	  echo "spy needs CPython 2.7 for RPython: install it with 'pyenv install 2.7.18' (or a python2.7 on PATH)"; \
	  exit 1; fi
	$(PY2) -m pip install -q 'virtualenv<20.22'
	$(PY2) -m virtualenv -q $(VENV)
	$(VENV)/bin/pip install -q rpython==0.2.1 pytest==4.6.11
	touch $@

spy: $(VENV)/.done $(SOURCES)
	@mkdir -p build
	$(PYTHON3) tools/translate.py build/spy.log spy -- \
	  $(RPYTHON) -Ojit --output=spy targetsmalltalk.py

spy-nojit: $(VENV)/.done $(SOURCES)
	@mkdir -p build
	$(PYTHON3) tools/translate.py build/spy-nojit.log spy-nojit -- \
	  $(RPYTHON) -O2 --output=spy-nojit targetsmalltalk.py

image: images/spy.image

images/spy.image: $(VENV)/.done $(IMAGE_SOURCES)
	$(PYTHON) -m spyvm.bootstrap $@

test: spy spy-nojit image
	$(PYTHON) -m pytest -q tests/

test-fast: $(VENV)/.done image
	$(PYTHON) -m pytest -q tests/ --ignore=tests/test_jit.py

# IMAGE=path/to/SmallWorld/image to measure on the real image
IMAGE ?= images/spy.image
bench: spy spy-nojit image
	$(PYTHON3) bench/harness.py --image $(IMAGE) \
	  --iterations $(BENCH_ITERATIONS) --processes $(BENCH_PROCESSES) \
	  --vm spy='./spy {image} {files}' --vm nojit='./spy-nojit {image} {files}' \
	  --vm nopic='./spy --no-pic {image} {files}' \
	  --baseline nojit --out bench/results

# fuzzing campaign (docs/fuzzing.md): needs ./spy and ./spy-nojit built;
# SMALLWORLD_IMAGE adds the real image's families.  One case at a time.
FUZZ_SEED ?= 1
FUZZ_MINUTES ?= 30
FUZZ_ARGS ?=
SPY ?= ./spy
SPY_NOJIT ?= ./spy-nojit
fuzz: image
	$(PYTHON3) -m tools.fuzz run --seed $(FUZZ_SEED) --minutes $(FUZZ_MINUTES) \
	  --spy $(SPY) --spy-nojit $(SPY_NOJIT) $(FUZZ_ARGS)

fuzz-slice: image
	$(PYTHON3) -m tools.fuzz slice --spy $(SPY) --spy-nojit $(SPY_NOJIT)

clean:
	rm -rf spy spy-nojit images/spy.image build bench/results
