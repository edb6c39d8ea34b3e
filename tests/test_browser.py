"""The classroom dashboard in a real browser: Voila serves notebooks/demo.ipynb, headless Chromium opens it,
drives the trainer by keyboard alone and waits for the cost curve, the accuracy and the announcement of the
run; axe-core checks the page before and after it (tests/accessibility.py).

It uses Debian's Chromium (/usr/bin/chromium, which `make test` installs when it is missing) through
Playwright's Python API. It is skipped only when Chromium is absent and could not be installed, except under
CI, where it fails instead: there the dashboard must be proven to work. A screenshot of the dashboard after
training is saved in the test's output folder and copied to /tmp/demo_screenshot.png.
"""
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT_COPY = Path("/tmp/demo_screenshot.png")
ITERATIONS = 300  # a few hundred: the run takes a second or two
SECONDS = 1000  # Playwright counts in milliseconds


def need_chromium():
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing and could not be installed (`make browser` installs Debian's chromium)")


def missing(reason):
    """Skip a test for want of something the Makefile installs; under CI, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port, process, name, log, timeout=90):
    """Wait until something accepts connections on 127.0.0.1:port; fail with the server's log if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with code {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{name} did not listen on port {port} within {timeout} s:\n{log.read_text()}")


@contextlib.contextmanager
def server(name, command, port, log, cwd=PROJECT, env=None):
    """Run a web server (command, listening on 127.0.0.1:port) in its own process group while the block
    runs; its output goes to log. It is stopped after, however the block ends."""
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_until_listening(port, process, name, log)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture
def dashboard(tmp_path):
    """The URL of notebooks/demo.ipynb served by Voila on a free port of 127.0.0.1; Voila is stopped after."""
    need_chromium()
    port = free_port()
    command = [sys.executable, "-m", "voila", "notebooks/demo.ipynb", "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]
    with server("Voila", command, port, tmp_path / "voila.log"):
        yield f"http://127.0.0.1:{port}/"


@contextlib.contextmanager
def chromium_page(sync_api):
    """A page of headless Debian Chromium, 1280 x 900."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def test_the_dashboard_trains_live_in_a_browser_by_keyboard_alone(dashboard, tmp_path):
    """The dashboard as a learner without a mouse uses it, and as axe-core's WCAG 2.1 A/AA rules see it,
    before and after a run."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    from accessibility import assert_no_violations
    with chromium_page(sync_api) as page:
        page.goto(dashboard, wait_until="domcontentloaded", timeout=120 * SECONDS)
        train = page.get_by_role("button", name=re.compile(r"^\W*Train$"))  # its name starts with an icon
        sync_api.expect(train).to_be_visible(timeout=180 * SECONDS)  # the notebook runs first: data, widgets
        assert_no_violations(page, "the dashboard before a run")
        train_and_check(page, sync_api.expect)
        assert_no_violations(page, "the dashboard after a run")
        trainer = page.locator(".dnn-widget").filter(has=page.get_by_role("status").filter(has_text="Run 1 fin"))
        (tmp_path / "trainer_accessibility_tree.yaml").write_text(trainer.aria_snapshot())
        shutil.copyfile(tmp_path / "trainer_accessibility_tree.yaml", "/tmp/trainer_accessibility_tree.yaml")
        screenshot = tmp_path / "demo_screenshot.png"
        whole_page_screenshot(page, screenshot)
    shutil.copyfile(screenshot, SCREENSHOT_COPY)


FOCUSED = """() => { const e = document.activeElement;
    const label = e.labels && e.labels.length ? e.labels[0].textContent : "";
    return (e.getAttribute("aria-label") || label || e.textContent || "").trim(); }"""
FOCUS_LOOK = """() => { const s = getComputedStyle(document.activeElement);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor].join(" "); }"""


def tab_to(page, name, times=1, limit=120):
    """Press Tab until the `times`-th control named `name` has the focus; return the names passed on the way."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        passed.append(page.evaluate(FOCUSED))
        if passed[-1] == name and passed.count(name) == times:
            return passed
    pytest.fail(f"{times} x {name!r} not reached with Tab; the focus went through {passed}")


def train_and_check(page, expect):
    """What a person does on the dashboard with the keyboard alone, and what they should see and hear: Tab to
    the trainer's controls (the explorer above it has a "layers L" too), three layers instead of four, the
    next learning rate, a few hundred iterations, Enter on Train; the end of the run reaches the live region."""
    expect(page.locator(".shapes-table")).to_contain_text("(20, 12288)")
    assert page.get_by_text("cost_trainer(").count() == 0, "code cells are shown"
    page.locator("body").focus()
    tab_to(page, "layers L", times=2)                       # the trainer's own
    assert page.evaluate(FOCUS_LOOK) == "solid 3px rgb(26, 82, 118)"  # where the focus is, plainly drawn
    third_layers = page.get_by_label("n[3]", exact=True)    # the explorer's, and the trainer's until it has 3 layers
    shown = third_layers.count()
    page.keyboard.press("ArrowDown")                        # 4 layers -> 3: hidden units 20 and 7
    expect(third_layers).to_have_count(shown - 1)           # as a person waits to see the boxes change
    order = tab_to(page, "learning rate")
    assert order == ["n[1]", "n[2]", "learning rate"], order   # a sensible order: the layers, then the rest
    assert page.evaluate(FOCUS_LOOK) == "solid 3px rgb(26, 82, 118)"
    page.keyboard.press("ArrowDown")                        # 0.0075 -> 0.01
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "iterations"
    page.keyboard.press("Control+a")
    page.keyboard.type(str(ITERATIONS))
    assert tab_to(page, "Train") == ["seed", "Train"]
    page.keyboard.press("Enter")

    status = page.get_by_role("status").filter(has_text="Run 1")
    expect(status).to_contain_text(f"Run 1 finished: {ITERATIONS} iterations", timeout=120 * SECONDS)
    expect(status).to_have_text(re.compile(r"final cost \d\.\d{4}\. Train accuracy: \d+\.\d% \(\d+ of 209\); "
                                           r"Test accuracy: \d+\.\d% \(\d+ of 50\)\.$"))
    trainer = page.locator(".dnn-widget").filter(has=status)   # the dashboard's trainer, not the replay
    expect(trainer).to_have_count(1)
    accuracy = trainer.locator("p.accuracy")
    expect(accuracy).to_have_text(re.compile(r"Train accuracy: \d+\.\d% \(\d+ of 209\)\s+·\s+"
                                             r"Test accuracy: \d+\.\d% \(\d+ of 50\)"))
    plot = trainer.locator("svg.cost-plot")
    expect(plot.locator("polyline.test-cost")).to_have_count(1)
    assert len(plot.locator("polyline.train-cost").get_attribute("points").split()) == 101  # 100 and the last
    label = plot.get_attribute("aria-label")                # the curve in words follows the run
    assert plot.get_attribute("role") == "img" and "learning rate 0.01, hidden units 20-7" in label, label
    assert re.search(r"training cost from \d\.\d+ at iteration 0 to \d\.\d+ at iteration 29\d", label), label
    costs = trainer.locator("details.dnn-figure-numbers").filter(has_text="run 1: costs every 100 iterations")
    expect(costs.locator("tbody tr")).to_have_count(4)       # iterations 0, 100, 200 and the last
    expect(trainer.get_by_text(re.compile(r"^(Misclassified test pictures: \d+ of 50|No misclassified)"))).to_be_visible()
    expect(trainer.get_by_role("button", name=re.compile(r"^\W*Train$"))).to_be_enabled()
    expect(trainer.get_by_role("button", name=re.compile(r"^\W*Stop$"))).to_be_disabled()


def whole_page_screenshot(page, path):
    """Voila scrolls the cells inside #rendered_cells, which a full-page screenshot does not follow: make the
    window as tall as they are, then take the screenshot."""
    height = page.evaluate("() => (document.querySelector('#rendered_cells') || document.body).scrollHeight")
    page.set_viewport_size({"width": 1280, "height": height + 20})
    page.screenshot(path=str(path), full_page=True)


# ----------------------------------------------------------------------------------------------------------
# The same widgets in JupyterLab, in copies of the lesson notebooks (JupyterLab saves the notebooks it runs:
# the project's own copies are never opened).

@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """(URL of a JupyterLab serving a folder of notebooks on a free port of 127.0.0.1, that folder), one for all
    the tests that use it (here and in test_progress.py), each with notebooks of its own. Its settings and workspaces live beside that folder, so
    nobody's own JupyterLab set-up changes what the tests see."""
    need_chromium()
    tmp_path = tmp_path_factory.mktemp("jupyterlab")
    folder = tmp_path / "notebooks"
    folder.mkdir()
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')  # no "get notified about Jupyter news?" box over the widgets
    port, token = free_port(), "dnn-lab-test"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
               "--LabApp.expose_app_in_browser=True"]  # the lessons are opened one after another in one page
    if os.geteuid() == 0:
        command.append("--allow-root")
    with server("JupyterLab", command, port, tmp_path / "lab.log", env=env):
        # reset: each test starts from a workspace with no notebook open, not the one the test before left
        yield f"http://127.0.0.1:{port}/lab/tree/{{}}?token={token}&reset", folder


def lesson_cells(name, keep):
    """The code cells of a lesson notebook for which keep(source) is true, as a new notebook."""
    import nbformat
    lesson = nbformat.read(str(PROJECT / "notebooks" / name), as_version=4)
    notebook = nbformat.v4.new_notebook(metadata=lesson.metadata)
    notebook.cells = [nbformat.v4.new_code_cell(cell.source) for cell in lesson.cells
                      if cell.cell_type == "code" and keep(cell.source)]
    return notebook


def open_and_run_all(page, expect, url):
    """Open a notebook in JupyterLab and run all its cells from the Run menu, as a person would."""
    page.goto(url, wait_until="domcontentloaded", timeout=120 * SECONDS)
    expect(page.locator(".jp-Notebook .jp-Cell").first).to_be_visible(timeout=120 * SECONDS)
    kernel_status = page.get_by_role("button", name=re.compile(r"^Python 3 \(ipykernel\) \| Idle$"))
    expect(kernel_status).to_be_visible(timeout=120 * SECONDS)
    first_prompt = page.locator(".jp-CodeCell .jp-InputPrompt").first
    for attempt in range(3):  # a menu clicked while the page is still settling may not take: try again
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            expect(first_prompt).to_have_text(re.compile(r"\[(\*|1)\]:"), timeout=10 * SECONDS)
            return
        except AssertionError:
            page.keyboard.press("Escape")
    pytest.fail("JupyterLab did not start running the notebook from Run > Run All Cells")


def wait_until_all_ran(page, expect):
    """Wait for Run All to finish: a widget's messages reach the kernel only between cells, so a widget is
    driven once no cell is running or waiting ([*]) and the kernel is idle."""
    expect(page.locator(".jp-CodeCell .jp-InputPrompt", has_text="[*]")).to_have_count(0, timeout=300 * SECONDS)
    idle = page.get_by_role("button", name=re.compile(r"^Python 3 \(ipykernel\) \| Idle$"))
    expect(idle).to_be_visible(timeout=60 * SECONDS)


def set_number(box, value, expect):
    """Type a value into a labelled number box and press Enter, as a person does."""
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value))


def test_the_shape_explorer_of_notebook_01_follows_its_controls_and_the_lessons_pass_axe_in_jupyterlab(lab, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    expect, (url, folder) = sync_api.expect, lab
    from accessibility import LESSONS, check_lessons_in_jupyterlab
    for lesson in LESSONS:
        shutil.copyfile(lesson, folder / lesson.name)
    with chromium_page(sync_api) as page:
        open_and_run_all(page, expect, url.format("01_initialization.ipynb"))
        explorer_table = page.locator(".shapes-table")
        expect(explorer_table).to_contain_text("(20, 12288)", timeout=120 * SECONDS)
        wait_until_all_ran(page, expect)  # the cells after the explorer train small networks first
        explorer = page.locator(".widget-vbox", has=explorer_table).last
        explorer.scroll_into_view_if_needed()

        set_number(explorer.get_by_label("layers L", exact=True), 6, expect)
        expect(explorer_table.locator("tbody tr")).to_have_count(7)   # the input and layers 1 to 6
        dims = [12288, 20, 7, 5, 5, 5, 1]                                # new hidden layers get 5 units
        count = sum(n * previous + n for previous, n in zip(dims, dims[1:]))
        expect(explorer.locator(".parameter-count")).to_have_text(f"6 layers, {count:,} parameters in all.")

        drawing = explorer.locator("img")                                # the drawing of the network
        expect(drawing).to_be_visible()
        drawn = drawing.get_attribute("src")
        first_layer = explorer.locator(".widget-inline-hbox", has=page.get_by_text("n[1]", exact=True))
        first_layer.locator("input").fill("40")
        first_layer.locator("input").press("Enter")
        expect(explorer_table.locator("tbody tr").nth(1)).to_contain_text("(40, 12288)")
        expect(drawing).not_to_have_attribute("src", drawn)              # redrawn for the new sizes
        expect(drawing).to_have_attribute("alt", re.compile(     # the drawing in words, redrawn with it
            r"^Diagram of the network, L = 6 layers, left to right: the input X = A\[0\] of 12288 features, shape "
            r"\(12288, 209\); hidden layers of 40 ReLU, 7 ReLU, 5 ReLU, 5 ReLU, 5 ReLU units"))
        page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=drawing.element_handle())
        explorer.screenshot(path=str(tmp_path / "lab_explorer.png"))
        # The same JupyterLab shows the five lessons as they are stored, for axe-core (tests/accessibility.py).
        check_lessons_in_jupyterlab(page, expect, url, 120 * SECONDS)


def test_the_trainer_of_notebook_04_trains_live_in_jupyterlab(lab, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    expect, (url, folder) = sync_api.expect, lab
    # Notebook 04 up to its data and sizes, then its trainer cell (not the exercises and their long training).
    import nbformat
    cells = lesson_cells("04_two_layer_model.ipynb", lambda source: True)
    first_exercise = next(i for i, cell in enumerate(cells.cells) if "### BEGIN SOLUTION" in cell.source)
    cells.cells = cells.cells[:first_exercise] + [cell for cell in cells.cells if "cost_trainer(" in cell.source]
    nbformat.write(cells, str(folder / "trainer.ipynb"))
    with chromium_page(sync_api) as page:
        open_and_run_all(page, expect, url.format("trainer.ipynb"))
        train = page.get_by_role("button", name=re.compile(r"^\W*Train$"))
        expect(train).to_be_visible(timeout=180 * SECONDS)
        trainer = page.locator(".widget-vbox", has=train).last
        trainer.scroll_into_view_if_needed()
        units = trainer.locator(".widget-inline-hbox", has=page.get_by_text("n[1]", exact=True)).locator("input")
        expect(units).to_have_value("7")                                # the two-layer network of notebook 04
        set_number(trainer.get_by_label("iterations", exact=True), ITERATIONS, expect)
        train.click()
        expect(trainer.locator("p.accuracy")).to_have_text(
            re.compile(r"Train accuracy: \d+\.\d% \(\d+ of 209\)\s+·\s+Test accuracy: \d+\.\d% \(\d+ of 50\)"),
            timeout=120 * SECONDS)
        expect(trainer.locator(".dnn-message")).to_contain_text(f"Run 1 finished: {ITERATIONS} iterations")
        expect(trainer.locator("svg.cost-plot polyline.train-cost")).to_have_count(1)
        expect(trainer.locator("svg.cost-plot polyline.test-cost")).to_have_count(1)
        assert "hidden units 7" in trainer.locator("svg.cost-plot").inner_html()

        # A long run (200 hidden units: minutes for 10000 iterations, so it cannot end before Stop is clicked):
        # its progress arrives while it trains, and Stop is heard while it trains, so the kernel is not tied up
        # by the training.
        units.fill("200")
        units.press("Enter")
        set_number(trainer.get_by_label("iterations", exact=True), 10000, expect)
        train.click()
        expect(trainer.get_by_text(re.compile(r"^iteration \d+ of 10000, elapsed"))).to_be_visible(
            timeout=60 * SECONDS)
        trainer.get_by_role("button", name=re.compile(r"^\W*Stop$")).click()
        expect(trainer.locator(".dnn-message")).to_contain_text(re.compile(r"Run 2 stopped at iteration \d+ of "
                                                                           r"10000"), timeout=60 * SECONDS)
        expect(trainer.locator("svg.cost-plot polyline.train-cost")).to_have_count(2)
        assert "hidden units 200" in trainer.locator("svg.cost-plot").inner_html()
        expect(trainer.locator("p.accuracy")).to_contain_text("Test accuracy")  # of the parameters reached
        expect(train).to_be_enabled()
        trainer.screenshot(path=str(tmp_path / "lab_trainer.png"))
