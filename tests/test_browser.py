"""The classroom dashboard in a real browser: Voila serves notebooks/demo.ipynb, headless Chromium opens it,
moves the iterations slider, clicks Train and waits for the cost curve and the accuracy.

It uses Debian's Chromium (/usr/bin/chromium, which `make test` installs when it is missing) through
Playwright's Python API. It is skipped only when Chromium is absent and could not be installed, except under
CI, where it fails instead: there the dashboard must be proven to work. A screenshot of the dashboard after
training is saved in the test's output folder and copied to /tmp/demo_screenshot.png.
"""
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


def wait_until_listening(port, process, log, timeout=90):
    """Wait until something accepts connections on 127.0.0.1:port; fail with Voila's log if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Voila exited with code {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"Voila did not listen on port {port} within {timeout} s:\n{log.read_text()}")


@pytest.fixture
def dashboard(tmp_path):
    """The URL of notebooks/demo.ipynb served by Voila on a free port of 127.0.0.1; Voila is stopped after."""
    need_chromium()
    port = free_port()
    log = tmp_path / "voila.log"
    with open(log, "w") as output:
        voila = subprocess.Popen(
            [sys.executable, "-m", "voila", "notebooks/demo.ipynb", "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"],
            cwd=PROJECT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_listening(port, voila, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(voila.pid, signal.SIGTERM)
        try:
            voila.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(voila.pid, signal.SIGKILL)
            voila.wait(10)


def test_the_dashboard_trains_live_in_a_browser(dashboard, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(dashboard, wait_until="domcontentloaded", timeout=120 * SECONDS)
            train_and_check(page, sync_api.expect)
            screenshot = tmp_path / "demo_screenshot.png"
            whole_page_screenshot(page, screenshot)
        finally:
            browser.close()
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
