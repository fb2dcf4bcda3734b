# Quick start: `make demo` runs the whole pipeline on a synthesized corpus, `make test` runs the tests.
# Both create .venv and install requirements.txt when it is missing or older than requirements.txt.
PYTHON_BOOTSTRAP ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEMO_DIR ?= data/demo
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: demo test test-fast lint format quality venv clean-demo

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# The tests also exercise the optional trackers (--mlflow, --azureml), so they install those too.
$(VENV)/.installed-trackers: $(VENV)/.installed requirements-mlflow.txt requirements-azureml.txt
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-mlflow.txt -r requirements-azureml.txt
	touch $@

# The linter and the format check first (seconds), then the tests in two processes, each test
# file in one of them (module fixtures are built once).
test: $(VENV)/.installed-trackers lint
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Rewrites the tree in the one format `make lint` checks, and applies the linter's safe fixes.
format: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test-fast: $(VENV)/.installed-trackers
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow"

# The demo: synthesize a mini LibriSpeech, convert it, pretrain CPC for about a minute on 2 cores
# (batches of 32: the demo dev split has 32 utterances; 8 short epochs, the learning rate divided
# by 3 from epochs 5 and 7), then keyword spotting on a synthesized Speech Commands set with the
# default recipe, the phone and speaker probes with small recipes, ABX on the dev split, and the
# report: within 10 minutes on 2 cores.
DEMO_OUTPUT ?= outputs
demo: $(VENV)/.installed
	$(PY) -m demo librispeech $(DEMO_DIR)/LibriSpeech
	$(PY) tfrecords.py train-clean-100 --librispeech-dir $(DEMO_DIR)/LibriSpeech
	$(PY) tfrecords.py dev-clean --librispeech-dir $(DEMO_DIR)/LibriSpeech
	$(PY) train.py --data-dir $(DEMO_DIR)/tfrecords --batch-size 32 --epochs 8 --steps-per-epoch 50 \
		--lr-milestones 5,7 --output-dir $(DEMO_OUTPUT)
	$(PY) -m demo speechcommands $(DEMO_DIR)/speech_commands
	$(PY) -m kws_eval --speech-commands-dir $(DEMO_DIR)/speech_commands --encoder $(DEMO_OUTPUT)/genc.h5 \
		--output-dir $(DEMO_OUTPUT)/kws
	$(PY) -m probes phone --tfrecords $(DEMO_DIR)/tfrecords/train-clean-100 --alignments $(DEMO_DIR)/LibriSpeech/alignments \
		--model $(DEMO_OUTPUT)/gar.keras --output-dir $(DEMO_OUTPUT)/probes \
		--epochs 10 --supervised-epochs 2 --batch-size 8 --supervised-learning-rate 3e-3
	$(PY) -m probes speaker --tfrecords $(DEMO_DIR)/tfrecords/train-clean-100 --alignments $(DEMO_DIR)/LibriSpeech/alignments \
		--model $(DEMO_OUTPUT)/gar.keras --output-dir $(DEMO_OUTPUT)/probes \
		--epochs 10 --supervised-epochs 2 --batch-size 8 --supervised-learning-rate 3e-3
	$(PY) -m probes abx --tfrecords $(DEMO_DIR)/tfrecords/dev-clean --alignments $(DEMO_DIR)/LibriSpeech/alignments \
		--model $(DEMO_OUTPUT)/gar.keras --output-dir $(DEMO_OUTPUT)/probes --quiet
	$(PY) -m report $(DEMO_OUTPUT)

# The quality picture on the demo corpora (pretraining, KWS with label budgets, noise and seeds,
# probes, ABX) written to QUALITY.md and docs/quality/; about 55 minutes on 2 cores.
quality: $(VENV)/.installed
	$(PY) -m bench.quality

clean-demo:
	rm -rf $(DEMO_DIR)
