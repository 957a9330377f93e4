# Backprop Ninja: every target creates .venv/ on first use and installs the course into it.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: test demo lab release calibrate benchmark kit test-hub test-attacks test-calibration test-validate test-regrade test-saturated clean

$(STAMP): pyproject.toml autograde/pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[course,dev,oracle]' -e './autograde[postgres]'
	touch $(STAMP)

## make test: the whole suite (package, grading pipeline, notebooks with nbval, browser), but for the slow
## suites below; CI runs make test, then make test-attacks, test-calibration, test-validate, test-regrade and
## test-saturated
test: $(STAMP)
	$(PY) -m pytest tests source --nbval-lax --ignore=tests/test_jail.py --ignore=tests/test_calibration.py \
		--ignore=tests/test_validate.py --ignore=tests/test_regrade.py --ignore=tests/test_saturated.py
	$(PY) -m pytest notebooks --nbval

## make test-attacks: the jail, and the attack class (autograde/attacks/) graded through it by backprop-ninja grade
## and by plain nbgrader autograde, every case as expected and no classmate touched (about 6 minutes)
test-attacks: $(STAMP)
	$(PY) -m pytest tests/test_jail.py

## make test-calibration: the calibration class of every assignment autograded through nbgrader, each case judged as
## expected, and its feedback shows verdicts and the first-wrong-line picture, never the hidden tests (about 10 minutes)
test-calibration: $(STAMP)
	$(PY) -m pytest tests/test_calibration.py

## make test-validate: nbgrader validate on every calibration case agrees with its grade (about 10 minutes)
test-validate: $(STAMP)
	$(PY) -m pytest tests/test_validate.py

## make test-regrade: the whole demo class graded twice gives identical scores, verdicts and feedback (about 10 minutes)
test-regrade: $(STAMP)
	$(PY) -m pytest tests/test_regrade.py

## make test-saturated: 04's and 06's calibration classes, graded while 2 busy processes per CPU fill the machine
## and a kernel hogs the CPU beside them, judged exactly as on an idle machine (cgroups needed; minutes)
test-saturated: $(STAMP)
	$(PY) -m pytest tests/test_saturated.py

## make demo: a term of the sample class through nbgrader's exchange, graded in parallel; reports in build/demo/
demo: $(STAMP)
	$(PY) -m ninja_autograde.demo

## make lab: JupyterLab on the course (as root too: then with --allow-root, and said so)
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
ROOT_NOTE := make lab: running as root; JupyterLab starts with --allow-root and the notebooks run in it run as root
lab: $(STAMP)
	@$(if $(AS_ROOT),echo "$(ROOT_NOTE)")
	$(VENV)/bin/jupyter lab --notebook-dir=$(CURDIR) $(AS_ROOT)

## make release: regenerate release/ from source/ with nbgrader
release: $(STAMP)
	$(PY) -m ninja_autograde.release

## make calibrate: autograde the calibration class and say whether every case came out as expected
calibrate: $(STAMP)
	$(PY) -m ninja_autograde.calibration

## make benchmark: grading time of plain nbgrader against backprop-ninja grade and where a notebook's seconds go,
## the lab assistant's (and against jax on the oracle set, beside torch's gradcheck defaults and CS231n's check),
## and how often 04's training test passes per calibration case over 50 seeds (minutes); the catch rates of every
## calibration case over 1,000 students' draws (a quarter of an hour on 2 CPUs: benchmarks/catch_rates.py ASSIGNMENT
## --students N for less)
benchmark: $(STAMP)
	$(PY) benchmarks/gradcheck.py
	$(PY) benchmarks/oracle.py
	$(PY) benchmarks/grading.py
	$(PY) benchmarks/profile_grading.py
	$(PY) benchmarks/xor_training.py
	$(PY) benchmarks/catch_rates.py

## make kit: what students receive (the student package's wheel, the release notebooks, a README) in build/kit/
kit: $(STAMP)
	$(PY) -m ninja_autograde.kit

## make test-hub: JupyterHub with real OS users, a term through the hub's API and a browser (root; minutes)
test-hub: $(STAMP)
	$(PY) -m pytest tests/test_hub.py -m hub -p no:cacheprovider

clean:
	rm -rf $(VENV) build gradebook.db submitted autograded feedback
