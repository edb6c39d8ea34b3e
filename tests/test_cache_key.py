"""The cache key of grade-class holds a digest of every module that decides a verdict: a fix in any of them
grades everything again."""
import shutil
import subprocess
import sys
from pathlib import Path

import grading
from grading import classbook

PROJECT = Path(grading.__file__).resolve().parents[1]

# What the grader's process runs to reach a verdict: grading a hand-in and judging what comes back
JUDGING = """
import sys, grading, testCases
from grading import classbook, gradebook, grade, verdict  # runner.py runs in the jail (grading/*.py)
from mutants import VARIANTS, MUTANTS, build, edited
for item in VARIANTS + MUTANTS:
    testCases.examine(item.name, build(item.name, edited(item.name, item.edits)), fresh=1)
print("\\n".join(getattr(module, "__file__", None) or "" for module in list(sys.modules.values())))
"""


def test_every_project_module_the_verdicts_run_on_is_in_the_key():
    done = subprocess.run([sys.executable, "-c", JUDGING], capture_output=True, text=True, cwd=PROJECT / "tests",
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = {Path(line).resolve() for line in done.stdout.splitlines() if line.endswith(".py")}
    ours = {path for path in loaded if PROJECT in path.parents and ".venv" not in path.parts
            and "tests" not in path.relative_to(PROJECT).parts}
    assert {"companion/feedback/verdict.py", "companion/solutions/mistakes.py", "companion/plain.py"} <= {
        path.relative_to(PROJECT).as_posix() for path in ours}
    missing = ours - {path.resolve() for path in classbook.verdict_files()}
    assert not missing, sorted(map(str, missing))


def test_a_change_to_any_of_them_changes_the_grader_version(tmp_path):
    project = tmp_path / "project"
    for path in classbook.verdict_files():
        target = project / path.relative_to(PROJECT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    before = classbook.version_of(project)
    assert before == classbook.grader_version()
    for name in ("companion/feedback/rules.py", "companion/feedback/hints.py", "companion/feedback/verdict.py",
                 "companion/plain.py", "companion/arguments.py", "companion/solutions/mistakes.py",
                 "testCases.py", "dnn_utils.py", "grading/verdict.py"):
        path = project / name
        text = path.read_bytes()
        path.write_bytes(text + b"\n# a fix\n")
        assert classbook.version_of(project) != before, name
        path.write_bytes(text)
    assert classbook.version_of(project) == before
