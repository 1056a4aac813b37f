# Information Theory for Language Models: the course's commands. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# PyTorch, installed before anything else so that no CUDA build is pulled in: on Linux from
# PyTorch's CPU wheel index (PyPI's Linux build is the CUDA one, several GB of NVIDIA
# libraries). Overrides: `make install TORCH_INDEX=` (pip's own index: CUDA on Linux),
# `TORCH_INDEX=https://download.pytorch.org/whl/cu126`, or `TORCH=path/to/torch.whl`.
TORCH  ?= torch==2.13.0
TORCH_INDEX ?= $(if $(filter Linux,$(shell uname -s)),https://download.pytorch.org/whl/cpu,)
TORCH_FROM  := $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX),)

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast lint format release sync selfcheck-data selfcheck handouts site clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## Create .venv with the CPU build of PyTorch and the course

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found. Install Python 3.11, 3.12 or 3.13 (python.org, Homebrew, or your package manager), then run make again (or make PYTHON=/path/to/python3.12 ...)." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else "error: this course needs Python 3.11, 3.12 or 3.13, and $(PYTHON) is %d.%d. Install one of those and run make PYTHON=python3.12 ... (for example)." % v)'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "error: $(PYTHON) cannot create a virtual environment (no venv/ensurepip module). On Debian/Ubuntu: sudo apt install python3-venv (or python3.X-venv for your version)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "PyTorch: $(TORCH) from $(or $(TORCH_INDEX),pip's default index)"
	@# torch alone from its index (then its dependencies come from PyPI with the course's);
	@# one quick try first, then pip's usual retries.
	$(BIN)/python -m pip install --quiet --no-deps --retries 1 --timeout 20 $(TORCH_FROM) "$(TORCH)" \
	  || $(BIN)/python -m pip install --quiet --no-deps $(TORCH_FROM) "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: install ## The main job: build the release and grade a demo class
	$(BIN)/python -m autograder demo $(DEMO_ARGS)

test: install ## Lint, then every test (slow ones included)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: install ## Tests without the slow (notebook-executing) ones
	$(BIN)/python -m pytest -m "not slow"

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check autograder course solutions tests

format: install ## ruff format and fix
	$(BIN)/ruff format autograder course solutions tests
	$(BIN)/ruff check --fix .

release: install ## Rebuild release/ and dist/ from source/
	$(BIN)/python -m autograder release

sync: install ## Write solution cells of source/ from solutions/
	$(BIN)/python -m autograder sync

selfcheck-data: install ## Rebuild course/data/selfcheck/ (public self-check cases) from the checks
	$(BIN)/python -m autograder.public_cases

selfcheck: install ## Check a notebook on the public cases: make selfcheck NB=release/01-entropy/01-entropy.ipynb
	$(BIN)/python -m course.selfcheck $(NB)

handouts: install ## Student handouts and instructor keys, HTML and PDF (A4, Letter) -> build/handouts/
	$(BIN)/python -m autograder.handouts

site: install ## The course website (Sphinx + MyST-NB) -> build/site/index.html
	$(BIN)/python -m autograder.site

clean: ## Remove build outputs (not .venv)
	rm -rf build dist .pytest_cache .ruff_cache
