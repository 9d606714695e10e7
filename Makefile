# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench llama clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/chatbot start

lint: $(STAMP)
	$(BIN)/ruff check chatbot tests bench
	$(BIN)/ruff format --check chatbot tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The optional llama.cpp server and tiny model that tests/llm/test_llama_cpp.py runs against.
# A portable build: the CPU-tuned (native) one crashed on generation on the CI machine.
# The first build compiles llama.cpp (minutes); pip's wheel cache makes later installs quick.
llama: $(STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install -q -e '.[dev,llama]'

bench: $(STAMP)
	$(BIN)/python bench/engine_rules.py
	$(BIN)/python bench/pipeline_sqlite.py
	$(BIN)/python bench/e2e_webhook.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
