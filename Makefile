# Two commands on a fresh machine:  make run   |   make test
# Any Python >= 3.11: python3.11 when there is one, else python3 (or say PY=python3.13).
PY          ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV        := .venv
BIN         := $(VENV)/bin
# extras (pyproject.toml): `make run` needs none; the tests add theirs.  CI adds st-test (torch, the
# sentence-transformers backend test): make test TEST_EXTRAS=test,eval,llm,st-test
RUN_EXTRAS  ?=
PORT        ?= 8000
TEST_EXTRAS ?= test,eval,llm
# pytest-xdist workers (-n): the suite is CPU-bound, so one per core (a third did not help on two cores);
# TEST_WORKERS=0 runs it in one process
TEST_WORKERS ?= 2
# only the plugins the suite uses: autoloading all of them (langsmith, schemathesis, hypothesis come with the
# extras) made each worker rewrite the asserts of ~450 plugin modules, 8 s of CPU before the first test
# and bytecode caching on even where the machine sets PYTHONDONTWRITEBYTECODE=1 (this one does): without it
# each worker rewrites the asserts of every test module and each server it starts recompiles the project
PYTEST       = env -u PYTHONDONTWRITEBYTECODE PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(BIN)/python -m pytest -p xdist.plugin
pip_install  = $(BIN)/python -m pip install -q $(2) -e '.$(if $(1),[$(1)])'
# seconds on a fresh clone: the default corpus's vectors ship in assistant/data/embeddings/
build_index  = $(BIN)/python -m assistant index build --if-stale

.PHONY: run test test-deps install install-test index eval bench embeddings matrix clean miniprogram-test axe

$(BIN)/python:
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
		|| { echo "需要 Python 3.11 或更新版本（当前 PY=$(PY)）；例如 make run PY=python3.13"; exit 1; }
	$(PY) -m venv $(VENV)

# one stamp per set of extras, redone when pyproject.toml changes
$(VENV)/.installed-run-$(RUN_EXTRAS): pyproject.toml | $(BIN)/python
	$(call pip_install,$(RUN_EXTRAS))
	touch $@

# --no-compile: the test run writes the bytecode of the modules it imports (see PYTEST below); compiling
# every module of ~100 packages at install took a third of it (80 -> 55 s on a fresh clone, both measured
# beside the same other load)
$(VENV)/.installed-test-$(TEST_EXTRAS): pyproject.toml | $(BIN)/python
	$(call pip_install,$(TEST_EXTRAS),--no-compile)
	touch $@

install: $(VENV)/.installed-run-$(RUN_EXTRAS)
install-test: $(VENV)/.installed-test-$(TEST_EXTRAS)

index: install
	$(build_index)

# install, build the index when missing or stale, serve on 127.0.0.1:$(PORT) (make run PORT=8001)
run: install
	$(build_index)
	$(BIN)/python -m assistant serve --host 127.0.0.1 --port $(PORT)

# install with the test extras and run the whole test suite (builds the index first when needed), after the
# mini-program's tests; pip and the two `npm ci` mostly wait on disk and network, so they run side by side
test: test-deps
	@$(MAKE) --no-print-directory miniprogram-test
	env -u PYTHONDONTWRITEBYTECODE $(build_index)
	$(PYTEST) -q -n $(TEST_WORKERS) --dist loadfile

test-deps:
	@$(MAKE) --no-print-directory -j3 install-test $(MP)/node_modules/.installed axe

# the WeChat mini-program's jest + miniprogram-simulate tests (Node.js 20; npm ci from the committed lock file)
MP := miniprogram
$(MP)/node_modules/.installed: $(MP)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "需要 Node.js 20 和 npm（apt-get install nodejs npm）"; exit 1; }
	cd $(MP) && npm ci --no-audit --no-fund
	touch $@

miniprogram-test: $(MP)/node_modules/.installed
	cd $(MP) && npm test

# axe-core for the accessibility browser tests (tests/test_a11y.py), from the committed lock file
tests/axe/node_modules/.installed: tests/axe/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "需要 Node.js 20 和 npm（apt-get install nodejs npm）"; exit 1; }
	cd tests/axe && npm ci --no-audit --no-fund
	touch $@

axe: tests/axe/node_modules/.installed

eval: install-test
	$(build_index)
	$(BIN)/python -m assistant eval

bench: install-test
	$(build_index)
	$(BIN)/python eval/bench.py --size default

# after changing a guide or the default law list: refresh the shipped vectors, then commit them
embeddings: install
	$(BIN)/python -m assistant index ship-embeddings

# the package and its tests on every Python found here (scripts/pymatrix.sh says which)
matrix:
	bash scripts/pymatrix.sh

clean:
	rm -rf $(VENV) index/*.json index/*.jsonl index/*.faiss index/*.npz index/*.txt index/bm25_*
