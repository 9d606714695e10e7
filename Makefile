# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.
# Every install takes the exact versions pinned in uv.lock (with hashes); `make lock` refreshes it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# --locked: stop when pyproject.toml has changed since uv.lock was written (run `make lock`).
SYNC := $(UV) sync --locked --python $(PY)
export UV_LINK_MODE := copy

.PHONY: install dev run test lint bench llama lock lock-upgrade clean

# uv itself, pinned by hash, in a virtualenv of its own so that syncing .venv leaves it alone.
$(UV): requirements-uv.txt
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --require-hashes -r requirements-uv.txt
	touch $(UV)

# Production: the bot and its runtime dependencies only. An exact sync: it also removes the
# dev tools and the llama extra if a development install put them there.
install: $(UV)
	$(SYNC) --no-editable

# Development: runtime and dev tools, the project editable. --inexact keeps the llama extra
# that `make llama` installs (.ci/run runs it before `make test`).
dev: $(UV)
	$(SYNC) --extra dev --inexact

run: install
	$(BIN)/chatbot start

lint: dev
	$(BIN)/ruff check chatbot tests bench
	$(BIN)/ruff format --check chatbot tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The optional llama.cpp server and tiny model that tests/llm/test_llama_cpp.py runs against.
# A portable build: the CPU-tuned (native) one crashed on generation on the CI machine.
# The first build compiles llama.cpp (minutes); uv keeps the built wheel in its cache
# (~/.cache/uv), so later installs on the same machine take seconds. --inexact as for `dev`.
llama: $(UV)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(SYNC) --extra dev --extra llama --inexact

# Bring uv.lock in line with pyproject.toml, keeping every other pin as it is.
lock: $(UV)
	$(UV) lock --python $(PY)

# Re-resolve every dependency to the newest version pyproject.toml allows; then run `make test`.
lock-upgrade: $(UV)
	$(UV) lock --upgrade --python $(PY)

bench: dev
	$(BIN)/python bench/engine_rules.py
	$(BIN)/python bench/pipeline_sqlite.py
	$(BIN)/python bench/e2e_webhook.py

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
