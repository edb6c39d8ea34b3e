# Two commands: `make lab` (set up, then JupyterLab on notebooks/) and `make test` (set up, then every test);
# `make demo` serves the classroom dashboard notebooks/demo.ipynb with Voila on http://127.0.0.1:8866/.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: lab test demo browser npm a11y html jail bench bench-grading setup clean-venv student student-check grade grade-class lab-server postgres bench-lab bench-lessons

# Jupyter refuses to run as root unless told to (containers, CI machines): tell it only then.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(INSTALLED)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

test: $(INSTALLED) browser npm jail postgres
	$(BIN)/python -m pytest

demo: $(INSTALLED)
	$(BIN)/voila notebooks/demo.ipynb --no-browser --port=8866 --Voila.ip=127.0.0.1

# The browser test drives Debian's Chromium through Playwright: install it when it is missing (CI runs as root
# on Debian). Where it cannot be installed, the browser test says so and is skipped (it fails under CI).
browser:
	@command -v chromium >/dev/null 2>&1 || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) || \
	  echo "make browser: could not install Debian's chromium; the browser test will be skipped"

# The accessibility checks (tests/accessibility.py, docs/accessibility.md) run axe-core, pinned in package.json and
# package-lock.json, in Chromium: install it into node_modules/ with npm when it is missing or the lock changed.
# Without npm the checks say so and are skipped (they fail under CI).
a11y: npm

# The npm packages of package-lock.json (axe-core; configurable-http-proxy, JupyterHub's proxy, for the lab's hub
# test), installed into node_modules/ when missing or when the lock changed.
npm: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm) || \
	  echo "make npm: could not install npm; the accessibility and hub checks will be skipped"
	(npm ci --no-audit --no-fund --ignore-scripts && touch $@) || \
	  echo "make npm: npm ci failed; the accessibility and hub checks will be skipped"

# The lessons as HTML pages a learner can be given (WCAG 2.1 AA; companion/html_export.py), in build/html.
html: $(INSTALLED)
	$(BIN)/python -m companion.html_export notebooks/0[1-5]_*.ipynb --out build/html

# The grader runs each hand-in in a bubblewrap jail with a seccomp filter made by libseccomp, on the system's
# Python of the project's version (docs/grading.md): install Debian's bubblewrap, libseccomp2 and python3.11 when
# they are missing. Where they cannot be installed, the jail tests fail and the grader refuses to grade without
# --no-jail (without python3.11 the jail runs the project's own interpreter, at its own path).
jail:
	@command -v bwrap >/dev/null 2>&1 && /sbin/ldconfig -p | grep -q 'libseccomp\.so\.2 ' && test -x /usr/bin/python3.11 || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y bubblewrap libseccomp2 python3.11) || \
	  echo "make jail: could not install Debian's bubblewrap, libseccomp2 and python3.11; the grader needs them (or --no-jail)"

# The live lab's tests start a PostgreSQL server of their own: install Debian's postgresql when it is missing.
# Where it cannot be installed, the PostgreSQL tests say so and are skipped (they fail under CI).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql) || \
	  echo "make postgres: could not install Debian's postgresql; the lab's PostgreSQL tests will be skipped"

# The npm packages pinned in package.json and package-lock.json (JupyterHub's proxy, configurable-http-proxy,
# for the lab's JupyterHub test), installed exactly as locked; again when the lock changes.
bench: $(INSTALLED)
	$(BIN)/python benchmarks/bench_training.py

# How long the lessons' training cells take on a learner's own functions (the times their prose quotes; see
# docs/benchmarks.md): wall and CPU time of each, with the load average beside it. ARGS="--cells nb05-25" picks cells.
bench-lessons: $(INSTALLED)
	$(BIN)/python benchmarks/lesson_times.py $(ARGS)

# Grading speed: a generated class of 200 notebooks (right, wrong, broken, hostile) graded by grade-class.
bench-grading: $(INSTALLED) jail
	$(BIN)/python benchmarks/bench_grading.py $(ARGS)

# The live lab under load: 500 simulated learners x 40 events over two minutes on loopback (docs/benchmarks.md);
# ARGS passes options, e.g. ARGS="--db postgresql://user@127.0.0.1/lab".
bench-lab: $(INSTALLED)
	$(BIN)/python benchmarks/bench_lab.py $(ARGS)

setup: $(INSTALLED)

# The notebooks without their solutions, with what they need, in build/student (see docs/grading.md).
student: $(INSTALLED)
	$(BIN)/python -m grading student build/student

# The student edition set up as its README says, in a fresh venv from its own requirements.txt: JupyterLab
# starts and lists no nbgrader extension; prints the setup's time (downloads about 450 MB).
student-check: $(INSTALLED)
	$(BIN)/python tests/student_setup_check.py

# The scorecard of a handed-in notebook: make grade NB=path/to/notebook.ipynb (non-zero exit if not full marks);
# ARGS passes options, e.g. ARGS="--full" or ARGS="--memory 512" (python -m grading grade -h lists them).
grade: $(INSTALLED) jail
	@test -n "$(NB)" || { echo "usage: make grade NB=path/to/notebook.ipynb [ARGS=...]"; exit 2; }
	$(BIN)/python -m grading grade "$(NB)" $(ARGS)

# A whole class: make grade-class DIR=handins OUT=grades (DIR: one folder per learner). Writes the gradebook,
# each learner's feedback and the summary in OUT; a second run grades only what changed. ARGS passes options,
# e.g. ARGS="--workers 4" or ARGS="--scheduler tcp://host:8786" (python -m grading grade-class -h lists them).
grade-class: $(INSTALLED) jail
	@test -n "$(DIR)" -a -n "$(OUT)" || { echo "usage: make grade-class DIR=handins OUT=grades [ARGS=...]"; exit 2; }
	$(BIN)/python -m grading grade-class "$(DIR)" "$(OUT)" $(ARGS)

# The live lab's server (README, For instructors): on http://127.0.0.1:8765/, today's session, events kept in
# build/lab/lab.sqlite3; it prints the instructor's page. ARGS passes options, e.g. ARGS="--roster roster.csv"
# (python -m grading lab serve -h lists them).
lab-server: $(INSTALLED)
	$(BIN)/python -m grading lab serve $(ARGS)

# nbgrader (for instructors' courses, docs/grading.md) would add its server and JupyterLab extensions to the
# learners' JupyterLab: they stay off here (its command line does not need them).
# JupyterLab's "Jupyter news" pop-up would greet learners on their first start: it stays off.
NO_NEWS := @jupyterlab/apputils-extension:announcements

NBGRADER_SERVER := $(foreach name,formgrader validate_assignment assignment_list course_list,nbgrader.server_extensions.$(name))

# The virtual environment is (re)built whenever the pinned requirements or the packaging change.
$(INSTALLED): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/jupyter server extension disable --sys-prefix $(NBGRADER_SERVER) >/dev/null 2>&1
	$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader $(NO_NEWS) >/dev/null 2>&1
	touch $@

clean-venv:
	rm -rf $(VENV)
