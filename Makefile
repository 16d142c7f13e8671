# Two commands on a fresh machine:  make run   |   make test
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test install index eval bench clean miniprogram-test

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PY)）"; exit 1; }
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,eval,llm,st]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/assistant index build --if-stale

# install, build the index when missing or stale, serve on 127.0.0.1:8000
run: index
	$(BIN)/assistant serve --host 127.0.0.1 --port 8000

# install and run the whole test suite (builds the index first when needed), then the mini-program's
test: index miniprogram-test
	$(BIN)/python -m pytest -q

# the WeChat mini-program's jest + miniprogram-simulate tests (Node.js 20; npm ci from the committed lock file)
MP := miniprogram
$(MP)/node_modules/.installed: $(MP)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "需要 Node.js 20 和 npm（apt-get install nodejs npm）"; exit 1; }
	cd $(MP) && npm ci --no-audit --no-fund
	touch $@

miniprogram-test: $(MP)/node_modules/.installed
	cd $(MP) && npm test

eval: index
	$(BIN)/assistant eval

bench: index
	$(BIN)/python eval/bench.py --size default

clean:
	rm -rf $(VENV) index/*.json index/*.jsonl index/*.faiss index/*.npz index/*.txt index/bm25_*
