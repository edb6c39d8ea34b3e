"""The line that says how far a training loop has got (companion/progress.py): shown while the loop runs, in a
notebook and in a terminal, and leaving no time behind in what a notebook stores."""
import io
import json
import re
import threading
import time

import pytest

from companion.progress import Progress, TerminalLine, follow, progress
from test_browser import lab  # noqa: F401 (a fixture: JupyterLab on a free port)
from conftest import PROJECT

TIMES = re.compile(r"so far|left|\d s\b|\bmin\b")  # what only a line of a running loop says


class Recorder:
    """A line that keeps what it was asked to show."""

    def __init__(self):
        self.shown = []

    def show(self, text, done=None, total=None):
        self.shown.append((text, done, total))


def test_a_loop_is_told_in_words_while_it_runs_and_ends_on_what_ran():
    line = Recorder()
    shown = Progress(4, "first_iterations", refresh=0, line=line)
    for done in range(4):
        shown.update(done)
    shown.close()
    texts = [text for text, _, _ in line.shown]
    assert texts[1] == "first_iterations: iteration 1 of 4, 0 s so far, about 0 s left."
    assert [done for _, done, _ in line.shown] == [0, 1, 2, 3, None]
    assert texts[-1] == shown.label() == "first_iterations: 4 iterations" and not TIMES.search(texts[-1])


def test_a_loop_stopped_by_an_error_says_where_it_stopped():
    line = Recorder()
    shown = Progress(150, "descent", refresh=0, line=line)
    shown.update(37)
    shown.close(complete=False)
    assert line.shown[-1][0] == "descent: stopped after 37 of 150 iterations."


def test_progress_iterates_as_the_iterable_and_redraws_at_most_once_a_refresh(monkeypatch):
    lines = []
    monkeypatch.setattr("companion.progress.TerminalLine", lambda text: lines.append(Recorder()) or lines[-1])
    started = time.perf_counter()
    assert list(progress(range(200_000), "fast")) == list(range(200_000))
    elapsed = time.perf_counter() - started
    (line,) = lines
    assert len(line.shown) <= 2 + elapsed / 1.0  # the first draw, one a second at most, the end
    assert line.shown[-1] == ("fast: 200000 iterations", None, None)
    with pytest.raises(TypeError, match="pass total="):
        next(progress(iter([1, 2])))
    with pytest.raises(ValueError, match="total must be a whole number"):
        Progress(-1)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def seen(written):
    """What a terminal shows after `written`: the last line, carriage returns applied."""
    screen = ""
    for part in written.split("\r"):
        screen = part + screen[len(part):]
    return screen


def test_in_a_terminal_the_line_is_rewritten_in_place_and_wiped_at_the_end():
    terminal = Terminal()
    shown = Progress(3, "descent", refresh=0, line=TerminalLine("descent: 3 iterations", terminal))
    shown.update(1)
    assert seen(terminal.getvalue()).startswith("descent: iteration 1 of 3")
    shown.update(2)
    assert seen(terminal.getvalue()).startswith("descent: iteration 2 of 3") and "\n" not in terminal.getvalue()
    shown.close()
    assert seen(terminal.getvalue()).strip() == ""
    log = io.StringIO()  # not a terminal: a log file gets nothing
    quiet = Progress(3, "descent", refresh=0, line=TerminalLine("descent: 3 iterations", log))
    quiet.update(1)
    quiet.close()
    assert log.getvalue() == ""


def test_follow_tells_how_far_work_in_a_thread_has_got():
    line, state = Recorder(), {"at": 0}

    def work():
        for state["at"] in range(1, 6):
            time.sleep(0.02)

    thread = threading.Thread(target=work)
    thread.start()
    assert follow(thread, lambda: state["at"], 5, "run 1", poll=0.005, line=line)
    assert line.shown[-1][0] == "run 1: 5 iterations"
    stuck = threading.Thread(target=time.sleep, args=(0.5,))
    stuck.start()
    assert not follow(stuck, lambda: 2, 5, "run 2", timeout=0.05, poll=0.01, line=Recorder())
    stuck.join()


# ----------------------------------------------------------------------------------------------------------
# In a notebook: one kernel, as JupyterLab and nbconvert run it

IN_A_KERNEL = {
    "loop": 'import time, companion.progress as p\np.REFRESH_SECONDS = 0.01\n'
            'for i in p.progress(range(20), "demo"):\n    time.sleep(0.01)\nprint("done")',
    "error": 'for i in p.progress(range(20), "broken"):\n    if i == 5:\n        raise ValueError("stop")',
    "trainer": 'import numpy as np, companion.widgets\nrng = np.random.RandomState(0)\nX = rng.rand(12, 40)\n'
               'Y = (X[:1] + X[1:2] > 1).astype(int)\n'
               'trainer = companion.widgets.cost_trainer((X, Y), hidden_units=(4,))\n'
               'trainer.iterations.value = 100\ntrainer.start()\nprint(trainer.wait(show_progress=True))',
}


@pytest.fixture(scope="module")
def kernel_messages():
    """{cell name: the kernel's output messages (type, content)} for the cells of IN_A_KERNEL, run in order."""
    from jupyter_client.manager import start_new_kernel
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(PROJECT))
    try:
        messages = {}
        for name, code in IN_A_KERNEL.items():
            msg_id = client.execute(code)
            got = []
            while True:
                msg = client.get_iopub_msg(timeout=120)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
                got.append((msg["msg_type"], msg["content"]))
            messages[name] = got
        return messages
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def displays(messages):
    """The texts of the progress line as the kernel sent them: the first display, then each update."""
    return [(kind, content["data"]["text/plain"]) for kind, content in messages
            if kind in ("display_data", "update_display_data")]


def test_in_a_notebook_the_line_is_redrawn_under_the_cell_and_stored_without_times(kernel_messages):
    shown = displays(kernel_messages["loop"])
    assert shown[0] == ("display_data", "demo: 20 iterations")
    running = [text for kind, text in shown[1:-1]]
    assert running and all(kind == "update_display_data" for kind, _ in shown[1:])
    assert all(re.fullmatch(r"demo: iteration \d+ of 20, \d+ s so far(, about \d+ s left)?\.", text) for text in running)
    # what nbclient stores (the last update) is what nbval sees (the first display): the same, with no time
    assert shown[-1] == ("update_display_data", "demo: 20 iterations")
    html = [content["data"]["text/html"] for kind, content in kernel_messages["loop"] if kind.endswith("display_data")]
    assert 'role="status"' in html[0] and "<progress" in html[1] and "<progress" not in html[-1]
    assert ("stream", {"name": "stdout", "text": "done\n"}) in kernel_messages["loop"]


def test_in_a_notebook_a_loop_stopped_by_an_error_says_where_it_stopped(kernel_messages):
    shown = displays(kernel_messages["error"])
    assert shown[0][1] == "broken: 20 iterations"
    assert shown[-1][1] == "broken: stopped after 5 of 20 iterations."
    assert any(kind == "error" for kind, _ in kernel_messages["error"])


def test_a_trainer_that_is_not_shown_tells_how_far_its_run_has_got(kernel_messages):
    shown = displays(kernel_messages["trainer"])
    assert shown[0] == ("display_data", "run 1 (learning rate 0.0075, hidden units 4): 100 iterations")
    assert shown[-1][1] == shown[0][1]
    assert ("stream", {"name": "stdout", "text": "True\n"}) in kernel_messages["trainer"]


def test_the_line_reads_the_same_to_a_screen_reader_and_passes_axe():
    """The line as JupyterLab shows it, running and ended, checked with axe-core's WCAG 2.1 A/AA rules in
    Chromium: a status whose words say all the bar shows (the bar itself is hidden from a screen reader)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    from accessibility import assert_no_violations
    from test_browser import chromium_page, need_chromium
    from companion.progress import NotebookLine
    need_chromium()
    words = "descent: iteration 800 of 2500, 41 s so far, about 1 min 27 s left."
    running = NotebookLine.bundle(words, 800, 2500)["text/html"]
    ended = NotebookLine.bundle("descent: 2500 iterations")["text/html"]
    with chromium_page(sync_api) as page:
        page.set_content(f'<html lang="en"><head><title>A training cell</title></head><body><main>'
                         f'<div class="jp-OutputArea">{running}</div><div class="jp-OutputArea">{ended}</div>'
                         f'</main></body></html>')
        assert_no_violations(page, "the progress line, running and ended")
        statuses = page.get_by_role("status")
        assert [statuses.nth(i).inner_text().strip() for i in range(2)] == [words, "descent: 2500 iterations"]
        assert page.get_by_role("progressbar").count() == 0  # hidden: the words say it
        assert page.locator("progress").get_attribute("value") == "800"


# ----------------------------------------------------------------------------------------------------------
# The lessons' cells that train on the learner's functions

def code_cell(name, cell_id):
    cells = json.loads((PROJECT / "notebooks" / name).read_text())["cells"]
    return next(cell for cell in cells if cell.get("id") == cell_id)


@pytest.mark.parametrize("name, cell_id", [("04_two_layer_model.ipynb", "nb04-34a"),
                                           ("05_L_layer_model.ipynb", "nb05-25"),
                                           ("05_L_layer_model.ipynb", "nb05-30b"),
                                           ("05_L_layer_model.ipynb", "nb05-45a")])
def test_each_training_cell_that_prints_nothing_as_it_goes_shows_its_progress(name, cell_id):
    source = "".join(code_cell(name, cell_id)["source"])
    assert "print_cost=True" not in source
    assert re.search(r"progress\(range\(|\.wait\(show_progress=True\)", source), source


def test_the_stored_progress_lines_hold_no_time():
    cell = code_cell("05_L_layer_model.ipynb", "nb05-25")
    lines = ["".join(out["data"]["text/plain"]) for out in cell["outputs"] if out["output_type"] == "display_data"]
    assert lines == ["first_iterations: 150 iterations"] * 2
    for path in sorted((PROJECT / "notebooks").glob("*.ipynb")):
        for stored in json.loads(path.read_text())["cells"]:
            for out in stored.get("outputs", []):
                page = "".join(out.get("data", {}).get("text/html", ""))
                if "dnn-progress" in page:
                    assert not TIMES.search(page) and "<progress" not in page, (path.name, page)


def test_in_jupyterlab_the_line_is_redrawn_in_place_while_the_cell_runs(lab):
    """As a learner sees it: JupyterLab, Run All, one line under the cell that counts the iterations while the
    loop runs (redrawn in place, not appended), then says what ran."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    import nbformat
    from test_browser import SECONDS, chromium_page, open_and_run_all
    expect, (url, folder) = sync_api.expect, lab
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                 "display_name": "Python 3 (ipykernel)"}})
    notebook.cells = [nbformat.v4.new_code_cell('import time\nfrom companion.progress import progress\n'
                                                'for i in progress(range(60), "descent"):\n    time.sleep(0.1)\n'
                                                'print("trained")')]
    nbformat.write(notebook, str(folder / "progress.ipynb"))
    with chromium_page(sync_api) as page:
        open_and_run_all(page, expect, url.format("progress.ipynb"))
        line = page.get_by_role("status").filter(has_text="descent")
        expect(line).to_have_text(re.compile(r"descent: iteration [1-9]\d* of 60, \d+ s so far, about \d+ s left\."),
                                  timeout=60 * SECONDS)
        expect(line.locator("progress")).to_have_attribute("max", "60")
        expect(page.locator(".jp-OutputArea-output", has_text="trained")).to_be_visible(timeout=60 * SECONDS)
        expect(line).to_have_text("descent: 60 iterations")
        expect(page.locator(".dnn-progress")).to_have_count(1)


def test_a_loop_left_early_in_a_terminal_wipes_its_line_too(monkeypatch):
    import companion.progress as module
    terminal, original = Terminal(), module.TerminalLine
    monkeypatch.setattr(module, "TerminalLine", lambda text: original(text, terminal))
    for i in progress(range(10), "descent"):
        if i == 3:
            break
    assert terminal.getvalue().startswith("\rdescent: iteration 0 of 10") and seen(terminal.getvalue()).strip() == ""
    assert not module._open_lines
