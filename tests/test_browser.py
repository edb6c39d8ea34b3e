"""The classroom dashboard in a real browser: Voila serves notebooks/demo.ipynb, headless Chromium opens it,
moves the iterations slider, clicks Train and waits for the cost curve and the accuracy.

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
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing and could not be installed (`make browser` installs Debian's chromium)"
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


def test_the_dashboard_trains_live_in_a_browser(dashboard, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    with chromium_page(sync_api) as page:
        page.goto(dashboard, wait_until="domcontentloaded", timeout=120 * SECONDS)
        train_and_check(page, sync_api.expect)
        screenshot = tmp_path / "demo_screenshot.png"
        whole_page_screenshot(page, screenshot)
    shutil.copyfile(screenshot, SCREENSHOT_COPY)


def train_and_check(page, expect):
    """What a person does on the dashboard, and what they should see."""
    train = page.get_by_role("button", name=re.compile(r"^\W*Train$"))  # its name starts with an icon
    expect(train).to_be_visible(timeout=180 * SECONDS)  # the notebook runs first: data, pictures, widgets
    expect(page.locator(".shapes-table")).to_contain_text("(20, 12288)")
    assert page.get_by_text("cost_trainer(").count() == 0, "code cells are shown"

    slider = page.locator(".widget-slider").filter(has=page.get_by_text("iterations", exact=True))
    readout = slider.locator(".widget-readout")
    readout.fill(str(ITERATIONS))
    readout.press("Enter")
    expect(readout).to_have_text(str(ITERATIONS))

    train.click()
    expect(page.locator("svg.cost-plot polyline.train-cost")).to_have_count(1, timeout=60 * SECONDS)
    accuracy = page.locator("p.accuracy")
    expect(accuracy).to_contain_text("Test accuracy", timeout=120 * SECONDS)
    expect(accuracy).to_have_text(re.compile(r"Train accuracy: \d+\.\d% \(\d+ of 209\)\s+·\s+"
                                             r"Test accuracy: \d+\.\d% \(\d+ of 50\)"))
    expect(page.locator(".dnn-message").filter(has_text="Run 1")).to_contain_text(
        f"Run 1 finished: {ITERATIONS} iterations")
    expect(page.locator("svg.cost-plot polyline.test-cost")).to_have_count(1)
    points = page.locator("svg.cost-plot polyline.train-cost").get_attribute("points").split()
    assert len(points) == 100
    expect(page.get_by_text(re.compile(r"^(Misclassified test pictures: \d+ of 50|No misclassified)"))).to_be_visible()
    expect(train).to_be_enabled()
    expect(page.get_by_role("button", name=re.compile(r"^\W*Stop$"))).to_be_disabled()


def whole_page_screenshot(page, path):
    """Voila scrolls the cells inside #rendered_cells, which a full-page screenshot does not follow: make the
    window as tall as they are, then take the screenshot."""
    height = page.evaluate("() => (document.querySelector('#rendered_cells') || document.body).scrollHeight")
    page.set_viewport_size({"width": 1280, "height": height + 20})
    page.screenshot(path=str(path), full_page=True)


# ----------------------------------------------------------------------------------------------------------
# The same widgets in JupyterLab, in copies of the lesson notebooks (JupyterLab saves the notebooks it runs:
# the project's own copies are never opened).

@pytest.fixture
def lab(tmp_path):
    """(URL of a JupyterLab serving tmp_path/notebooks on a free port of 127.0.0.1, that folder). Its settings
    and workspaces live in tmp_path too, so nobody's own JupyterLab set-up changes what the test sees."""
    need_chromium()
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
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with server("JupyterLab", command, port, tmp_path / "lab.log", env=env):
        yield f"http://127.0.0.1:{port}/lab/tree/{{}}?token={token}", folder


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


def set_slider(slider, value, expect):
    readout = slider.locator(".widget-readout")
    readout.fill(str(value))
    readout.press("Enter")
    expect(readout).to_have_text(str(value))


def test_the_shape_explorer_of_notebook_01_follows_its_controls_in_jupyterlab(lab, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    expect, (url, folder) = sync_api.expect, lab
    shutil.copyfile(PROJECT / "notebooks" / "01_initialization.ipynb", folder / "01_initialization.ipynb")
    with chromium_page(sync_api) as page:
        open_and_run_all(page, expect, url.format("01_initialization.ipynb"))
        explorer_table = page.locator(".shapes-table")
        expect(explorer_table).to_contain_text("(20, 12288)", timeout=120 * SECONDS)
        wait_until_all_ran(page, expect)  # the cells after the explorer train small networks first
        explorer = page.locator(".widget-vbox", has=explorer_table).last
        explorer.scroll_into_view_if_needed()

        set_slider(explorer.locator(".widget-slider").filter(has=page.get_by_text("layers L", exact=True)), 6,
                   expect)
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
        page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=drawing.element_handle())
        explorer.screenshot(path=str(tmp_path / "lab_explorer.png"))


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
        set_slider(trainer.locator(".widget-slider").filter(has=page.get_by_text("iterations", exact=True)),
                   ITERATIONS, expect)
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
        set_slider(trainer.locator(".widget-slider").filter(has=page.get_by_text("iterations", exact=True)),
                   10000, expect)
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
