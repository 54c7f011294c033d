# Common loops. `make run` and `make test` install what they need first (scripts/bootstrap.sh).
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
UV_RUN := uv run --frozen

.PHONY: setup run test lint typecheck unit bench samples clean

setup:
	@scripts/bootstrap.sh

run: setup
	$(UV_RUN) ogi run

test: setup lint typecheck unit

lint: setup
	$(UV_RUN) ruff check .

typecheck: setup
	$(UV_RUN) mypy

unit: setup
	$(UV_RUN) pytest -q

bench: setup
	$(UV_RUN) ogi bench --docs 2000

samples: setup
	$(UV_RUN) ogi samples

clean:
	rm -rf warehouse/*/ samples .pytest_cache .mypy_cache .ruff_cache
