"""What people read after grade-class (grading/feedback.py, summary.py, figures.py, untrusted.py): a class with
a broadcasting slip (+ b.T, + b[0]), a notebook whose later scratch cell redefines a checked function, a helper
defined outside its exercise cell, and hostile hand-ins (escape sequences in an exception's name and in a file
name, an exception class named with 40 MB, a learner folder named like a spreadsheet formula). The feedback is
opened in headless Chromium at a phone's width and looked at; nothing of a hand-in reaches a file or the
terminal as a control character or a formula."""
import csv
import io
import tempfile
from pathlib import Path

import nbformat
import pytest

import grading
from grading import feedback, untrusted
from accessibility import assert_no_violations
from test_browser import CHROMIUM_ARGS, CHROMIUM, need_chromium
from test_classbook import LESSON_01, LESSON_02, handed_in, run

LESSON_03 = LESSON_01.with_name("03_backward_propagation.ipynb")
FORGED = "\x1b[2K\r\x1b[1A  relu  1/1  ok\nscore: 6/6\x1b]0;graded\x07"
FORMULA = '=HYPERLINK("evil.example","click")'
HELPER = "def relu_derivative(Z):\n    return (Z > 0).astype(float)\n"
USES_HELPER = "def relu_backward(dA, cache):\n    Z = cache\n    dZ = dA * relu_derivative(Z)\n    return dZ\n"
LEAKY = "def relu(Z):\n    A = np.maximum(0.01 * Z, Z)\n    return A, Z\n"
LINEAR = "def linear_forward(A, W, b):\n    Z = np.dot(W, A) + {}\n    return Z, (A, W, b)\n"


def add_cell(path, source, before=None):
    """Add a code cell to the notebook at `path`: at the end, or just before the first cell that defines or
    starts with `before` (a function's name, or the beginning of a cell)."""
    nb = nbformat.read(str(path), as_version=4)
    index = next((i for i, cell in enumerate(nb.cells)
                  if before and (grading.exercise_name(cell) == before or cell.source.startswith(before))),
                 len(nb.cells))
    nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, str(path))


def raising(name, kind_name):
    """An exercise cell whose function raises an exception of a class named `kind_name` (given as code)."""
    return f"def {name}(*args):\n    raise type({kind_name}, (Exception,), {{}})('no')\n"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback")
    handins = root / "handins"
    handed_in(handins / "ann" / "02.ipynb", LESSON_02, linear_forward=LINEAR.format("b.T"))
    handed_in(handins / "bob" / "02.ipynb", LESSON_02, linear_forward=LINEAR.format("b[0]"))
    add_cell(handed_in(handins / "cat" / "02.ipynb", LESSON_02), LEAKY)  # its check ran on the lesson's relu
    for learner, place in (("dan", "relu_backward"), ("gil", "check_relu_backward(")):
        path = handed_in(handins / learner / "03.ipynb", LESSON_03)
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if grading.exercise_name(cell) == "relu_backward":
                cell.source = USES_HELPER  # the learner ran the check after it: it passed (the lesson's output)
        nbformat.write(nb, str(path))
        add_cell(path, HELPER, before=place)  # dan: above the exercise; gil: below it, above its check
    handed_in(handins / "eve" / "02.ipynb", LESSON_02, relu=raising("relu", repr(FORGED)),
              sigmoid=raising("sigmoid", "'E' * 40_000_000"), compute_cost=raising("compute_cost", "'F' * 4_000_000"))
    handed_in(handins / FORMULA / "\x1b[2K\x1b[1Aok.ipynb", LESSON_01)
    (handins / "fay").mkdir()
    (handins / "fay" / "01.ipynb").write_text("{ not a notebook \x1b[31m")
    out = root / "grades"
    rows, _, printed = run(handins, out)
    return out, rows, printed


def read(out, path):
    return (out / path).read_text()


def test_a_broadcasting_slip_is_named_as_such_not_as_a_product_entry_by_entry(graded):
    out, _, _ = graded
    for learner in ("ann", "bob"):
        text = read(out, f"feedback/{learner}/02_forward_propagation.md")
        assert "the likely mistake: b is added in the wrong shape" in text, text
        assert "entry by entry" not in text
    summary = read(out, "summary.txt")
    assert "  linear_forward\n    b is added in the wrong shape [b_broadcast]" in summary
    assert summary.split("b_broadcast]", 1)[1].splitlines()[0].split() == ["2", "25%"]  # 2 of 8 learners
    assert "elementwise" not in summary


def test_a_check_that_passed_in_the_notebook_is_told_what_differs_in_grading(graded):
    out, _, _ = graded
    cat = read(out, "feedback/cat/02_forward_propagation.md")  # a scratch relu below the check is not graded
    dan = read(out, "feedback/dan/03_backward_propagation.md")  # the helper above the exercise goes with it
    for text in (cat, dan):
        assert "| `relu` | 1/1 | right |" in text or "| `relu_backward` | 1/1 | right |" in text, text
        assert "passed, but" not in text
    gil = read(out, "feedback/gil/03_backward_propagation.md")  # the helper below the exercise does not
    assert "| `relu_backward` | 0/1 |" in gil
    assert ("Your notebook's check of relu_backward passed, but it uses relu_derivative, defined in a cell below "
            "its exercise cell.") in gil
    assert feedback.CHECK_CELL not in gil  # told what differs, not to run a check that passed


def test_no_internal_word_reaches_a_learner(graded):
    out, _, _ = graded
    for path in (path for path in (out / "feedback").rglob("*.*") if path.is_file()):
        text = path.read_text()
        assert "attempt" not in text and "seed" not in text, path
        assert not any(f"[{mistake}]" in text for mistake in ("b_broadcast", "b_left_out", "elementwise")), path


def test_learners_text_reaches_no_file_and_no_terminal_as_control_characters(graded):
    out, _, printed = graded
    files = {path: path.read_bytes() for path in out.rglob("*") if path.is_file() and ".cache" not in path.parts}
    assert sum(map(len, files.values())) < 3 << 20  # a 40 MB name is capped, not copied
    for path, data in files.items():
        if path.suffix != ".png":
            text = data.decode()
            assert not any(ord(c) < 32 and c != "\n" or 0x7f <= ord(c) < 0xa0 for c in text), path
    terminal = "\n".join(printed)
    assert "\x1b" not in terminal and "\r" not in terminal
    eve = read(out, "feedback/eve/02_forward_propagation.md")
    assert "What went wrong: raised relu 1/1 ok score: 6/6: no" in eve and len(eve) < 6000
    assert "What went wrong: raised EEEEEEEE" in eve and "E" * 600 not in eve  # 40 MB: cut in the jail, capped
    assert "printed too much" not in eve and "remove the prints" not in eve  # it printed nothing
    assert "What went wrong: raised FFFFFFFF" in eve and "F" * 600 not in eve  # 4 MB: capped


def test_a_formula_in_a_learner_id_is_text_in_every_csv(graded):
    out, _, _ = graded
    for name in ("gradebook.csv", "functions.csv", "learners.csv", "canvas_import.csv", "moodle_import.csv",
                 "integrity.csv"):
        cells = [cell for row in csv.reader(io.StringIO(read(out, name))) for cell in row]
        assert not [cell for cell in cells if cell and cell[0] in "=+-@" and not cell.lstrip("+-").replace(".", "")
                    .isdigit()], name
    assert f"'{FORMULA},01_initialization,3,3,graded" in read(out, "gradebook.csv").replace('""', '"') \
        .replace(f'"\'{FORMULA}"', f"'{FORMULA}")
    assert (out / "feedback" / FORMULA / "01_initialization.html").exists()
    assert "Learner `=HYPERLINK(\"evil.example\",\"click\")`, hand-in `ok.ipynb`." in read(
        out, f"feedback/{FORMULA}/01_initialization.md")


def test_whose_hand_ins_are_missing_or_unreadable_is_named_in_the_summary(graded):
    out, _, _ = graded
    summary = read(out, "summary.txt")
    assert "Unreadable hand-ins: 1\n  fay, 01_initialization: 01.ipynb (not a notebook" in summary
    assert f"  02_forward_propagation: {FORMULA}, dan, fay, gil\n" in summary  # dan, gil: lesson 03 only
    assert "Integrity report: evidence for a person to read" in summary


def test_clean_and_cell():
    assert untrusted.clean("ok\x1b[1A\x1b[2K\r  1/1  ok\x07\u202e!") == "ok 1/1 ok!"
    assert untrusted.clean("x" * 50_000_000, 10) == "x" * 9 + "…"
    assert untrusted.clean("a\udcffb") == "a\ufffdb"
    assert untrusted.clean("  def f():\n\x1b[31m    return 1", lines=True) == "  def f():\n    return 1"
    assert [untrusted.cell(v) for v in ("=1+2", "+1", "-0.5", "@A1", "-x", -1, "ok")] == [
        "'=1+2", "+1", "-0.5", "'@A1", "'-x", -1, "ok"]
    with pytest.raises(ValueError, match="clean: limit=0; expected a whole number of characters, at least 1"):
        untrusted.clean("x", 0)


def test_feedback_escapes_markdown_and_html():
    from grading.gradebook import Entry
    entry = Entry("[me](javascript:alert(1))", "01_initialization", "missing", 0, 2,
                  notes=["<script>alert(1)</script> *bold* | cell"])
    blocks = feedback.document(entry)
    text = feedback.markdown(blocks)
    assert "\\<script\\>alert(1)\\</script\\> \\*bold\\* \\| cell" in text
    page = feedback.page(blocks)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_html_feedback_reads_on_a_phone(graded):
    need_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    out, _, _ = graded
    shots = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                    is_mobile=True)
            requests = []
            page.on("request", lambda request: requests.append(request.url))
            shown = (("gil", "03_backward_propagation"), ("eve", "02_forward_propagation"))
            for learner, lesson in shown:
                path = out / "feedback" / learner / f"{lesson}.html"
                page.goto(path.as_uri())
                assert page.title() == read(out, f"feedback/{learner}/{lesson}.md").splitlines()[0][2:]
                right = page.evaluate("Math.max(...[...document.querySelectorAll('body *')].map("
                                      "element => element.getBoundingClientRect().right))")
                assert right <= page.evaluate("window.innerWidth"), (learner, right)  # nothing wider than the phone
                assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
                assert page.locator("h1").inner_text().startswith(lesson)
                assert "What went wrong" in page.locator("body").inner_text()
                assert_no_violations(page, f"the feedback page of {learner}, {lesson}")  # WCAG 2.1 A/AA
                shots[learner] = Path(tempfile.gettempdir(), f"feedback_{learner}.png")  # kept to look at
                page.screenshot(path=str(shots[learner]), full_page=True)
            assert requests == [(out / "feedback" / who / f"{lesson}.html").as_uri()
                                for who, lesson in shown]  # the page fetches nothing
        finally:
            browser.close()
    for shot in shots.values():
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_scorecard_prints_no_control_character():
    card = grading.Scorecard("\x1b[2Khanded_in.ipynb", {"relu": grading.Verdict(
        0, "crashed", f"raised {FORGED}: {'x' * 5000}")}, [f"ran {FORGED}"])
    text = card.text()
    assert "\x1b" not in text and "\r" not in text and len(text) < 1500
    assert text.splitlines()[0] == "handed_in.ipynb" and text.splitlines()[-1] == "score: 0/1"
