"""The integrity report (grading/integrity.py): a copy with renamed variables and other comments is found as
the same code, a near copy as similar code, a byte-identical copy as an identical file, right answers written
as the lesson writes them are not reported, a learner calling the library is an attempt, and who is missing is
named; no score changes."""
import csv
import io

from grading import integrity
from test_classbook import LESSON_01, handed_in
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


def test_normalised_code_sets_names_comments_and_spacing_aside():
    assert integrity.normalised(OWN) == integrity.normalised(RENAMED)
    assert integrity.normalised(OWN) != integrity.normalised(NEAR)
    assert integrity.normalised("x = (") == ("x", "=", "(")  # cut short: its words


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
    assert 0.9 <= float(pairs["similar code", "bob", "cat"][4]) < 1
    assert ("similar code", "ann", "cat") in pairs
    assert ("identical file", "dan", "fay") in pairs and ("identical file", "dan", "eve") in pairs
    assert not [key for key in pairs if key[0] != "identical file" and {"dan", "eve", "fay"} & set(key[1:])]
    attempts = [line for line in found if line[0] == "attempt"]
    assert [line[1:3] + line[5:6] for line in attempts] == [["01_initialization", "gus", "initialize_parameters"]]
    assert "library" in attempts[0][6]
    assert ["missing", "02_forward_propagation", "ann", "", "", "", "no hand-in found"] in found
    text = (out / "integrity.txt").read_text()
    assert "same code: 1\n  01_initialization: ann and bob, similarity 1.00 [initialize_parameters_deep]" in text


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
    """Five of eight learners made the same slip (W not scaled by 0.01): they did not copy one another; the
    two who share code no one else wrote are reported."""
    slip = {"initialize_parameters_deep": OWN.replace("0.01 * ", "")}
    rows = entries(tmp_path, {**{f"s{k}": slip for k in range(5)}, "ann": {"initialize_parameters_deep": OWN},
                              "bob": {"initialize_parameters_deep": RENAMED}, "cat": {}})
    assert pairs_found(rows) == {("same code", "ann", "bob")}
    assert ("same code", "s0", "s1") in pairs_found(rows[:3] + rows[5:])  # two of them alone: the same code


def test_short_code_is_no_evidence(tmp_path):
    """A near copy of a few lines is too little to tell copying from chance; the same code of 30 tokens is."""
    short = "def initialize_parameters(n_x, n_h, n_y, seed=1):\n    return {'W1': np.zeros((n_h, n_x))}\n"
    near = short.replace("np.zeros", "np.ones")
    rows = entries(tmp_path, {"ann": {"initialize_parameters": short}, "bob": {"initialize_parameters": near}})
    assert len(integrity.normalised(short)) < integrity.SIMILAR_TOKENS
    assert integrity.similarity(*[integrity._function_code(grading_notebook(row)) for row in rows], {},
                                at_least=integrity.SIMILAR)[0] >= integrity.SIMILAR
    assert pairs_found(rows) == set()


def grading_notebook(row):
    from grading import read_notebook
    return read_notebook(row.handin_object.path)


def test_long_code_is_compared_up_to_its_first_tokens():
    """A hand-in's exercise of 60 000 tokens (within the grader's 256 KB of code) is compared by its first
    COMPARED_TOKENS: two copies are still the same, and the comparison stays a fraction of a second."""
    body = "".join(f"    a{i} = Z * {i} + np.exp(-Z)\n" for i in range(6000))
    long = f"def sigmoid(Z):\n{body}    return a0, Z\n"
    mine, theirs = integrity.normalised(long), integrity.normalised(long.replace("a", "b"))
    assert len(mine) == integrity.COMPARED_TOKENS and mine == theirs
    assert integrity.similarity({"sigmoid": mine}, {"sigmoid": theirs}, {}) == (1.0, ["sigmoid"])
    other = integrity.normalised(long.replace("np.exp(-Z)", "np.tanh(Z)"))
    score, _ = integrity.similarity({"sigmoid": mine}, {"sigmoid": other}, {})
    assert 0.5 < score < 1.0
