"""nbgrader's autograde, with the learner's notebook checked by the jailed grader instead of run in a kernel.

nbgrader scores an "Autograder tests" cell by the outputs it has after autograde's Execute step ran the whole
notebook in one kernel: an error output scores 0, anything else full points. A hidden test (nbgrader's
`### BEGIN HIDDEN TESTS`) is put back into its cell for autograde and runs in that same kernel, after the
learner's cells: a check on fresh cases there needs the reference functions (or their outputs on cases the
kernel can see) inside the learner's kernel, where the learner's code, run first, can read them or replace the
check. So nbgrader cannot check on fresh cases safely, and this export does not try: its nbgrader_config.py
puts JailedChecks where Execute was. JailedChecks grades the submitted notebook as `python -m grading grade`
does (each graded function in a jail, on fresh cases drawn now, judged outside the jail) and writes each
check cell's outcome as nbgrader reads outputs: a passed function's cell prints that it passed, a failed
one's holds an error output whose message is the grader's comment. nbgrader then saves the grades, applies
its late penalties and writes its feedback as usual.
"""
import os
import secrets
import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float

from ..classbook import CLASS_CPU, CLASS_WALL, lessons, match_lesson
from ..notebooks import checked_name

FAILED = "CheckFailed"  # the error name of a failed check's output (the checkers' own, companion/feedback)


class JailedChecks(NbGraderPreprocessor):
    """Autograde's execution step: the notebook's graded functions checked in jails on fresh cases, each check
    cell given the outcome as its output. Nothing of the notebook runs in a kernel."""

    wall_seconds = Float(CLASS_WALL, help="Wall-clock seconds each graded function may run").tag(config=True)
    cpu_seconds = Float(CLASS_CPU, help="CPU seconds each graded function may use").tag(config=True)

    def preprocess(self, nb, resources):
        from ..grade import grade
        from ..jail import Limits
        name = resources.get("nbgrader", {}).get("notebook") or ""
        with tempfile.TemporaryDirectory(prefix="dnn_autograde_") as folder:
            path = Path(folder, f"{os.path.basename(name) or 'submitted'}.ipynb")
            nbformat.write(nb, str(path))
            lesson = name if name in lessons() else match_lesson(nb, path.name)
            if lesson is None:
                return nb, resources  # no lesson's notebook: its test cells (none of ours) keep no output
            limits = Limits(wall_seconds=self.wall_seconds, cpu_seconds=self.cpu_seconds)
            card = grade(path, limits=limits, isolated=True, seed=secrets.randbelow(2 ** 31),
                         exercises=lessons()[lesson])
        self.log.info("Graded %s in jails on fresh cases (seed %s): %s of %s", name, card.seed, card.score,
                      card.total)
        for cell in nb.cells:
            checked = checked_name(cell) if cell.cell_type == "code" else None
            if checked in card.verdicts and cell.metadata.get("nbgrader", {}).get("grade"):
                cell.outputs = [_output(checked, card.verdicts[checked])]
                cell.execution_count = None
        return nb, resources


def _output(name, verdict):
    """A check cell's output: nbgrader scores an error output 0, any other full points."""
    if verdict.points >= 1:
        text = f"{name}: right on the lesson's cases and on fresh ones (graded in a jail)\n"
        return nbformat.v4.new_output("stream", name="stdout", text=text)
    text = f"{name}: {verdict.comment}"
    return nbformat.v4.new_output("error", ename=FAILED, evalue=text, traceback=[f"{FAILED}: {text}"])
