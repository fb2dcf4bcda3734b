# Quick start: `make demo` runs the whole pipeline on a synthesized corpus, `make test` runs the tests.
# Both create .venv and install requirements.txt when it is missing or older than requirements.txt.
PYTHON_BOOTSTRAP ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEMO_DIR ?= data/demo
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: demo evaluate test test-fast browser lint format quality venv clean-demo

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
test: $(VENV)/.installed-trackers lint browser
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Rewrites the tree in the one format `make lint` checks, and applies the linter's safe fixes.
format: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test-fast: $(VENV)/.installed-trackers browser
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow"

# tests/report/test_report_in_browser.py opens report.html in Debian's headless Chromium. As root
# with apt-get, a missing chromium or chromedriver is installed (about 20 s; the package lists are
# refreshed only when the install fails without them); otherwise the test is skipped, as it says.
CHROMIUM_PACKAGES := chromium chromium-driver
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 $(CHROMIUM_PACKAGES)
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(CHROMIUM_PACKAGES) for the browser test (apt-get)"; \
		{ $(APT_INSTALL) || { apt-get update -qq && $(APT_INSTALL); }; } >/dev/null \
			|| echo "apt-get could not install $(CHROMIUM_PACKAGES): the browser test will be skipped"; \
	else \
		echo "/usr/bin/chromium or /usr/bin/chromedriver missing: the browser test will be skipped" \
			"(install them as root: apt-get install $(CHROMIUM_PACKAGES))"; \
	fi

# Every evaluation of a trained model, then the report (DEMO_OUTPUT/report.html): keyword spotting
# with the default recipe, the phone and speaker probes, ABX on the dev split, and the features of
# a folder of audio. The data are the demo's unless pointed elsewhere:
#   DEMO_OUTPUT          train.py's output folder (genc.h5, gar.keras); every result goes inside it:
#                        kws/, probes/, features/ (python -m extract), report.md, report.html
#   SPEECH_COMMANDS_DIR  Speech Commands for kws_eval
#   LIBRISPEECH_DIR      LibriSpeech, whose alignments/ the probes and ABX read
#   TFRECORDS_DIR        tfrecords.py's output, with train-clean-100/ (probes) and dev-clean/ (ABX)
#   EXTRACT_AUDIO_DIR    the audio whose features are extracted (the demo's dev-clean: 32 files, seconds)
#   PROBE_FLAGS          the probes' recipe: the demo's small one; PROBE_FLAGS= for the paper's
# e.g. make evaluate DEMO_OUTPUT=runs/a LIBRISPEECH_DIR=~/Data/LibriSpeech TFRECORDS_DIR=~/Data/tfrecords \
#      SPEECH_COMMANDS_DIR=~/Data/speech_commands_v0.01 PROBE_FLAGS=
DEMO_OUTPUT ?= outputs
SPEECH_COMMANDS_DIR ?= $(DEMO_DIR)/speech_commands
LIBRISPEECH_DIR ?= $(DEMO_DIR)/LibriSpeech
TFRECORDS_DIR ?= $(DEMO_DIR)/tfrecords
EXTRACT_AUDIO_DIR ?= $(LIBRISPEECH_DIR)/dev-clean
PROBE_FLAGS ?= --epochs 10 --supervised-epochs 2 --batch-size 8 --supervised-learning-rate 3e-3
evaluate: $(VENV)/.installed
	$(PY) -m kws_eval --speech-commands-dir $(SPEECH_COMMANDS_DIR) --encoder $(DEMO_OUTPUT)/genc.h5 \
		--output-dir $(DEMO_OUTPUT)/kws
	$(PY) -m probes phone --tfrecords $(TFRECORDS_DIR)/train-clean-100 --alignments $(LIBRISPEECH_DIR)/alignments \
		--model $(DEMO_OUTPUT)/gar.keras --output-dir $(DEMO_OUTPUT)/probes $(PROBE_FLAGS)
	$(PY) -m probes speaker --tfrecords $(TFRECORDS_DIR)/train-clean-100 --alignments $(LIBRISPEECH_DIR)/alignments \
		--model $(DEMO_OUTPUT)/gar.keras --output-dir $(DEMO_OUTPUT)/probes $(PROBE_FLAGS)
	$(PY) -m probes abx --tfrecords $(TFRECORDS_DIR)/dev-clean --alignments $(LIBRISPEECH_DIR)/alignments \
		--model $(DEMO_OUTPUT)/gar.keras --output-dir $(DEMO_OUTPUT)/probes --quiet
	$(PY) -m extract $(EXTRACT_AUDIO_DIR) $(DEMO_OUTPUT)/features --model $(DEMO_OUTPUT)/gar.keras
	$(PY) -m report $(DEMO_OUTPUT)

# The demo: synthesize a mini LibriSpeech, convert it, pretrain CPC for about a minute on 2 cores
# (batches of 32: the demo dev split has 32 utterances; 8 short epochs, the learning rate divided
# by 3 from epochs 5 and 7), synthesize a Speech Commands set, then `make evaluate` on them (with
# the probes' small recipe): within 10 minutes on 2 cores.
demo: $(VENV)/.installed
	$(PY) -m demo librispeech $(LIBRISPEECH_DIR)
	$(PY) tfrecords.py train-clean-100 --librispeech-dir $(LIBRISPEECH_DIR) --output-dir $(TFRECORDS_DIR)/train-clean-100
	$(PY) tfrecords.py dev-clean --librispeech-dir $(LIBRISPEECH_DIR) --output-dir $(TFRECORDS_DIR)/dev-clean
	$(PY) train.py --data-dir $(TFRECORDS_DIR) --batch-size 32 --epochs 8 --steps-per-epoch 50 \
		--lr-milestones 5,7 --output-dir $(DEMO_OUTPUT)
	$(PY) -m demo speechcommands $(SPEECH_COMMANDS_DIR)
	$(MAKE) --no-print-directory evaluate

# The quality picture on the demo corpora (pretraining, KWS with label budgets, noise and seeds,
# probes, ABX) written to QUALITY.md and docs/quality/; about 55 minutes on 2 cores.
quality: $(VENV)/.installed
	$(PY) -m bench.quality

clean-demo:
	rm -rf $(DEMO_DIR)
