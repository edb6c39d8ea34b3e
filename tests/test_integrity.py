"""The integrity report (grading/integrity/): code compared by the fingerprints of its normalised statements
(renamed variables, reordered statements, comments and dead code hide no copy), what the lesson gives and what
many learners wrote left out, a labelled class of 36 (every copier found, no honest learner reported), the
evidence side by side in integrity.html, a learner calling the library as an attempt, who is missing named; no
score changes."""
import csv
import io

import pytest

import grading
from grading import integrity
from test_classbook import LESSON_01, LESSON_02, handed_in
from test_lms import run

OWN = '''def initialize_parameters_deep(layer_dims, seed=3):
    np.random.seed(seed)
    params = {}
    for i in range(1, len(layer_dims)):
        rows, cols = layer_dims[i], layer_dims[i - 1]
        params["W%d" % i] = 0.01 * np.random.randn(rows, cols)
        params["b%d" % i] = np.zeros(shape=(rows, 1))
    return params
'''
RENAMED = '''def initialize_parameters_deep(layer_dims, seed=3):
    # my own work, honest
    np.random.seed(seed)
    weights = {}
    for k in range(1, len(layer_dims)):
        n_out, n_in = layer_dims[k], layer_dims[k - 1]   # sizes
        weights["W%d" % k] = 0.01 * np.random.randn(n_out,  n_in)

        weights["b%d" % k] = np.zeros(shape=(n_out, 1))
    return weights
'''
NEAR = RENAMED.replace("np.zeros(shape=(n_out, 1))", "np.zeros((n_out, 1)) + 0.0")
IMPORT = '''def initialize_parameters(n_x, n_h, n_y, seed=1):
    import dnn_utils
    return dnn_utils.initialize_parameters(n_x, n_h, n_y, seed)
'''


def prints(source, function="initialize_parameters_deep"):
    return sorted(s.fingerprint for s in integrity.fingerprints.statements(source, function))


def test_fingerprints_set_names_literals_order_comments_and_dead_code_aside():
    lines = RENAMED.split("\n")
    reordered = "\n".join(lines[:6] + [lines[8], lines[6]] + lines[9:])  # b before W
    dead = OWN.replace("    return params", "    unused = len(params)\n    if False:\n        params = {}\n    'note'\n"
                       "    return params\n    print(params)")
    assert reordered != RENAMED and prints(reordered) == prints(OWN) == prints(dead)
    assert prints(OWN) != prints(NEAR)
    assert integrity.fingerprints.statements("x = (", "sigmoid") is None  # not Python: nothing to compare
    assert "2:V['S' % V] = 0 * np.random.randn(V, V)" in prints(OWN)


def test_the_report_finds_copies_attempts_and_the_missing(tmp_path):
    handins = tmp_path / "handins"
    handed_in(handins / "ann" / "01.ipynb", LESSON_01, initialize_parameters_deep=OWN)
    handed_in(handins / "bob" / "lab1.ipynb", LESSON_01, initialize_parameters_deep=RENAMED)
    handed_in(handins / "cat" / "01.ipynb", LESSON_01, initialize_parameters_deep=NEAR)
    handed_in(handins / "dan" / "01.ipynb", LESSON_01)  # the lesson's own answers
    handed_in(handins / "eve" / "01.ipynb", LESSON_01)  # the same
    handed_in(handins / "fay" / "copy.ipynb", LESSON_01).write_bytes((handins / "dan" / "01.ipynb").read_bytes())
    handed_in(handins / "gus" / "01.ipynb", LESSON_01, initialize_parameters=IMPORT)
    out = tmp_path / "grades"
    rows = run(handins, out)
    assert {e.student: e.score for e in rows if e.lesson == "01_initialization"} == {
        "ann": 3, "bob": 3, "cat": 3, "dan": 3, "eve": 3, "fay": 3, "gus": 2}  # evidence, not a penalty
    found = list(csv.reader(io.StringIO((out / "integrity.csv").read_text())))
    assert found[0] == integrity.HEADER
    pairs = {(line[0], line[2], line[3]): line for line in found[1:] if line[3]}
    assert pairs["same code", "ann", "bob"][4:6] == ["1.00", "initialize_parameters_deep"]
    assert not [key for key in pairs if "cat" in key]  # two of her three lines alike: not mostly the same
    assert ("identical file", "dan", "fay") in pairs
    assert not [key for key in pairs if key[0] != "identical file" and {"dan", "eve", "fay"} & set(key[1:])]
    attempts = [line for line in found if line[0] == "attempt"]
    assert [line[1:3] + line[5:6] for line in attempts] == [["01_initialization", "gus", "initialize_parameters"]]
    assert "library" in attempts[0][6]
    assert ["missing", "02_forward_propagation", "ann", "", "", "", "no hand-in found"] in found
    text = (out / "integrity.txt").read_text()
    assert "identical file: 3\n  01_initialization: dan and eve" in text
    assert "Identical files: 3" in (out / "integrity.html").read_text()


def entries(folder, sources_by_student):
    """Graded rows of lesson 01 as report() reads them: each learner's hand-in with the exercises given."""
    import hashlib
    import types
    from grading.classbook import GRADED
    rows = []
    for student, sources in sources_by_student.items():
        path = handed_in(folder / student / "01.ipynb", LESSON_01, **sources)
        digest = hashlib.sha256(path.read_bytes() + student.encode()).hexdigest()  # no two files alike
        handin = types.SimpleNamespace(path=path, digest=digest)
        rows.append(types.SimpleNamespace(student=student, lesson="01_initialization", status=GRADED, result={},
                                          handin="01.ipynb", handin_object=handin))
    return rows


def pairs_found(rows):
    return {(line[0], line[2], line[3]) for line in integrity.report(rows) if line[3]}


def test_a_common_mistake_is_no_evidence_of_copying(tmp_path):
    from grading import exercise_name as grading_exercise, read_notebook as read_lesson
    """Five of eight learners made the same slip (W not scaled by 0.01): they did not copy one another; the
    two who share code no one else wrote are reported."""
    lesson = {grading_exercise(cell): cell.source for cell in read_lesson(LESSON_01).cells if grading_exercise(cell)}
    slip = {"initialize_parameters_deep": lesson["initialize_parameters_deep"].replace(") * 0.01", ")")}
    rows = entries(tmp_path, {**{f"s{k}": slip for k in range(5)}, "ann": {"initialize_parameters_deep": OWN},
                              "bob": {"initialize_parameters_deep": RENAMED}, "cat": {}})
    assert pairs_found(rows) == {("same code", "ann", "bob")}


def test_short_code_is_no_evidence(tmp_path):
    """The same line or two is too little to tell copying from chance."""
    short = "def initialize_parameters(n_x, n_h, n_y, seed=1):\n    return {'W1': np.ones((n_h, n_x))}\n"
    rows = entries(tmp_path, {"ann": {"initialize_parameters": short}, "bob": {"initialize_parameters": short}})
    assert pairs_found(rows) == set()


def test_a_long_cell_is_compared_whole():
    """A hand-in's exercise of 3000 statements (within the grader's 256 KB of code): its renamed copy is the same."""
    body = "".join(f"    a{i} = Z * {i} + np.exp(-a{i - 1 if i else 0})\n" for i in range(3000))
    long = f"def sigmoid(Z):\n{body}    return a2999, Z\n"
    mine = prints(long, "sigmoid")
    assert len(mine) == 3001 and mine == prints(long.replace("a", "b"), "sigmoid")


def class_rows(folder, cells_by_student, same_bytes=()):
    """Graded rows of lesson 02 as report() reads them, each learner's notebook written from the lesson with the
    exercise cells given; `same_bytes`: (learner, whose notebook they handed in byte for byte)."""
    import hashlib
    import types
    from grading.classbook import GRADED
    from integrity_class import LESSON
    rows, copies = [], dict(same_bytes)
    for student, cells in cells_by_student.items():
        path = folder / student / "02.ipynb"
        if student in copies:
            path.parent.mkdir(parents=True)
            path.write_bytes((folder / copies[student] / "02.ipynb").read_bytes())
        else:
            handed_in(path, LESSON_02, **cells)
        handin = types.SimpleNamespace(path=path, digest=hashlib.sha256(path.read_bytes()).hexdigest())
        rows.append(types.SimpleNamespace(student=student, lesson=LESSON, status=GRADED, result={},
                                          handin="02.ipynb", handin_object=handin))
    return rows


def right(cells):
    """Each function of the cells gives the lesson's answers on a random input (honest learners answer right)."""
    import numpy as np
    import dnn_utils
    space = {"np": np}
    for source in cells.values():
        exec(source, space)
    rng = np.random.default_rng(0)
    A, W, b, Z = rng.normal(size=(4, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 1)), rng.normal(size=(2, 3))
    params = dnn_utils.initialize_parameters_deep([4, 3, 1])
    Y, AL = np.array([[1, 0, 1]]), np.array([[0.8, 0.3, 0.6]])
    calls = [("sigmoid", (Z,)), ("relu", (Z,)), ("linear_forward", (A, W, b)),
             ("linear_activation_forward", (A, W, b, "relu")), ("linear_activation_forward", (A, W, b, "sigmoid")),
             ("L_model_forward", (A, params)), ("compute_cost", (AL, Y))]
    for name, args in calls:
        mine, theirs = space[name](*args), getattr(dnn_utils, name)(*args)
        assert np.allclose(np.asarray(mine[0] if name != "compute_cost" else mine).ravel(),
                           np.asarray(theirs[0] if name != "compute_cost" else theirs).ravel()), name


def labelled_class(seed=25):
    """({learner: {function: cell}}, {copier: whom they copied}): 30 honest learners and 6 copiers."""
    import random
    import integrity_class as made
    rng = random.Random(seed)
    cells = {f"h{k:02d}": made.honest(rng) for k in range(30)}
    copied = {"r1": ("h03", made.renamed_reordered), "r2": ("h17", made.renamed_reordered),
              "d1": ("h08", made.dead_line_added), "d2": ("h22", made.dead_line_added),
              "c1": ("h11", None), "c2": ("h26", None)}
    for copier, (source, how) in copied.items():
        cells[copier] = how(cells[source]) if how else cells[source]
    return cells, {copier: source for copier, (source, _) in copied.items()}


def test_a_labelled_class_every_copier_found_no_honest_learner_reported():
    """30 honest learners, each line of theirs drawn from the natural ways of writing it (the most natural one
    shared by many; slips on the scaffold's lines), and 6 copiers of honest learners: renamed variables with
    statements reordered, one dead line added per function, a byte copy (two of each). Their code compared as
    the report compares it: every copier pair is found, no honest pair is reported; precision and recall
    printed. (A byte copy is also an `identical file`: see the next test.)"""
    from grading.notebooks import graded_functions
    from integrity_class import LESSON
    cells, copied = labelled_class()
    for learner in cells.values():
        right(learner)
    code = {learner: {name: (source, integrity.fingerprints.statements(source, name, graded_functions()))
                      for name, source in functions.items()} for learner, functions in cells.items()}
    found = integrity.compare(code, integrity.lesson_given(LESSON))
    reported = {frozenset((mine, theirs)) for _, mine, theirs, _, _ in found}
    truth = {frozenset(pair) for pair in copied.items()}
    caught = reported & truth
    precision, recall = len(caught) / max(1, len(reported)), len(caught) / len(truth)
    print(f"\nintegrity on a labelled class of {len(cells)} learners ({len(truth)} copier pairs among "
          f"{len(cells) * (len(cells) - 1) // 2} pairs): reported {len(reported)}, precision {precision:.2f}, "
          f"recall {recall:.2f}")
    assert (precision, recall) == (1.0, 1.0), (reported - truth, truth - reported)
    assert {round(score, 2) for score, *_ in found} == {1.0}
    fragments = next(item for _, mine, theirs, item, _ in found if {mine, theirs} == {"h03", "r1"})
    assert all(mine in cells["h03"][function] and theirs in cells["r1"][function]
               for function, mine, theirs in fragments)  # each side as that learner wrote it


def test_the_report_and_its_page_on_a_labelled_class(tmp_path):
    """The same class read from its notebooks by report(): the copier pairs reported (a byte copy as an
    identical file), nothing else; integrity.html shows each pair's fragments side by side, escaped."""
    cells, copied = labelled_class()
    cells = {learner: functions for learner, functions in cells.items()
             if learner in copied or learner in copied.values()}
    cells["h03"]["sigmoid"] += "\n# </pre><script>alert(1)</script>"
    rows = class_rows(tmp_path, cells, [(copier, source) for copier, source in copied.items() if copier[0] == "c"])
    integrity.write(rows, tmp_path / "out")
    found = list(csv.reader(io.StringIO((tmp_path / "out" / "integrity.csv").read_text())))[1:]
    kinds = {frozenset(line[2:4]): line[0] for line in found if line[3]}
    assert kinds == {frozenset(("c1", "h11")): "identical file", frozenset(("c2", "h26")): "identical file",
                     **{frozenset(pair): "same code" for pair in copied.items() if pair[0][0] != "c"}}
    page = (tmp_path / "out" / "integrity.html").read_text()
    assert page.count("<section>") == 4 and "<script>" not in page
    assert 'scope="col">h08</th><th scope="col">d1</th>' in page or 'scope="col">d1</th><th scope="col">h08' in page
    read_in_chromium(tmp_path / "out" / "integrity.html")


def read_in_chromium(path):
    """integrity.html as an instructor opens it: in Chromium, with no WCAG 2.1 A/AA violation, fetching nothing
    and running no script; a screenshot kept beside it to look at."""
    from accessibility import assert_no_violations
    from test_browser import chromium_page, need_chromium
    need_chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    with chromium_page(sync_api) as page:
        requests, dialogs = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.as_uri())
        assert page.get_by_role("heading", level=1).count() == 1
        assert page.get_by_role("table").count() >= 4  # one per pair, fragments side by side
        assert_no_violations(page, "integrity.html")
        page.screenshot(path=str(path.with_suffix(".png")), full_page=True)
        assert requests == [path.as_uri()] and dialogs == []


def test_one_rare_line_alike_is_no_evidence():
    """Two learners who both wrote the sigmoid an unusual way and everything else as the lesson does: the same
    code, but one line of it: not reported. A second line alike, as rare, is."""
    from grading.notebooks import graded_functions
    from integrity_class import LESSON, _filled
    lesson = {grading.exercise_name(cell): cell.source for cell in grading.read_notebook(LESSON_02).cells
              if grading.exercise_name(cell)}
    rare = dict(lesson, sigmoid=_filled(lesson["sigmoid"], ["A = 0.5 * (1 + np.tanh(Z / 2))"]))
    class_ = {"ann": rare, "bob": rare, **{f"s{k}": lesson for k in range(10)}}

    def pairs(cells):
        code = {learner: {name: (source, integrity.fingerprints.statements(source, name, graded_functions()))
                          for name, source in functions.items()} for learner, functions in cells.items()}
        return [(mine, theirs) for _, mine, theirs, _, _ in integrity.compare(code, integrity.lesson_given(LESSON))]
    assert pairs(class_) == []
    both = dict(rare, relu=_filled(lesson["relu"], ["A = Z.clip(min=0)"]))
    assert pairs({**class_, "ann": both, "bob": both}) == [("ann", "bob")]
