"""What a term's reports say (grading/summary.py, feedback.py, exports.py, figures.py), read from rows as grading
leaves them, without grading: weights in every total, mean, table and import column; the maximum each LMS
assignment needs; Canvas's assignment ids in the import columns; what to go over in the next lecture; the
learners not found, by name, left empty in the import files."""
import csv
import io

from grading import classbook, exports, feedback, lms, summary, term
from grading.gradebook import Entry

LESSON = "03_backward_propagation"


def course(tmp_path, extra=""):
    path = tmp_path / "course.toml"
    path.write_text(f'[weights."{LESSON}"]\nlinear_backward = 2\nL_model_backward = 2\n{extra}')
    return term.load(path)


def graded(student, lost=(), mistake="dW_no_1_over_m"):
    """A graded row of LESSON in which the functions of `lost` scored 0 with `mistake`."""
    verdicts = [[name, 0 if name in lost else 1, "wrong" if name in lost else "ok", "", mistake if name in lost
                 else None] for name in classbook.lessons()[LESSON]]
    result = {"status": "graded", "lesson": LESSON, "score": sum(v[1] for v in verdicts), "total": len(verdicts),
              "verdicts": verdicts, "notes": [], "why": ""}
    return Entry(student, LESSON, "graded", result["score"], result["total"], f"{LESSON}.ipynb", result)


def rows_of_a_class(tmp_path):
    rows = [graded("s001", ("linear_backward",)), graded("s002", ("linear_backward",)), graded("s003"),
            Entry("s004", LESSON, classbook.MISSING, 0, len(classbook.lessons()[LESSON]))]
    return term.weigh(rows, course(tmp_path))


def test_weights_are_in_every_total_mean_table_and_import_file(tmp_path):
    rows = rows_of_a_class(tmp_path)
    functions = len(classbook.lessons()[LESSON])
    assert [(e.score, e.total) for e in rows[:3]] == [(functions, functions + 2)] * 2 + [(functions + 2,) * 2]
    text = summary.text(rows, [], True)
    assert f"{LESSON:<26} {(2 * functions + functions + 2) / 3:>5.2f} / {functions + 2}   (3 graded)" in text
    assert f"{LESSON} {functions + 2}" in text.split("Points possible to give each assignment in your LMS")[1]
    blocks = feedback.document(rows[0])
    header, cells = next(content for kind, content in blocks if kind == "table")
    assert header[1] == "points" and [("code", "linear_backward"), "0/2"] == cells[
        classbook.lessons()[LESSON].index("linear_backward")][:2]
    assert sum(float(row[1].split("/")[0]) for row in cells) == rows[0].score
    assert sum(float(row[1].split("/")[1]) for row in cells) == rows[0].total
    assert blocks[0] == ("title", f"{LESSON}: {functions} / {functions + 2}")


def test_the_next_lecture_and_the_learners_not_found_by_name(tmp_path):
    rows = rows_of_a_class(tmp_path)
    learners = {"s004": lms.Learner("s004", "Dora Diaz")}
    text = summary.text(rows, [], True, learners=learners)
    lecture = text.split("To go over in the next lecture (the mistakes that cost the class the most points):\n")[1]
    assert lecture.startswith("  1. linear_backward: dW has no 1/m: dW = (1/m) dZ A_prevᵀ (2 learners, 50% of "
                              "the class; 4 points lost)")
    assert "Not found in the hand-ins at all (left empty in the import files): 1\n  Dora Diaz (s004)" in text
    assert f"Missing hand-ins: 1\n  {LESSON}: Dora Diaz (s004)" in text


def test_canvas_columns_carry_the_assignment_ids_and_a_learner_not_found_is_empty(tmp_path):
    rows = rows_of_a_class(tmp_path)
    ids = course(tmp_path, f'[canvas_assignments]\n"{LESSON}" = 12345\n').canvas_assignments
    learners = {f"s00{n}": lms.Learner(f"s00{n}", f"Learner {n}") for n in range(1, 5)}
    imported = list(csv.reader(io.StringIO(exports.canvas_csv(rows, learners, ids))))
    assert f"{LESSON} (12345)" in imported[0] and "01_initialization" in imported[0]
    column = imported[0].index(f"{LESSON} (12345)")
    assert [line[column] for line in imported[1:]] == [str(rows[0].score), str(rows[1].score), str(rows[2].score),
                                                       ""]


def test_a_canvas_assignment_id_that_is_not_one_is_named(tmp_path):
    import pytest
    for value, seen in (('"12345"', "'12345'"), ("0", "0")):
        with pytest.raises(classbook.ClassError, match=f"canvas_assignments.{LESSON} is {seen}; expected the Canvas "
                                                       f"assignment's id"):
            course(tmp_path, f'[canvas_assignments]\n"{LESSON}" = {value}\n')
