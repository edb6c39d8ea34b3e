"""The instructor's page in Debian's Chromium (Playwright), used as a person does: signed in with the token
by keyboard, the counts changing live as a learner's checks arrive, a learner's HTML shown as text, the
section filter and projector mode by keyboard alone. A screenshot is kept in the test's folder and copied to
/tmp/lab_screenshot.png."""
import csv
import io
import re
import shutil
import time
import uuid
from pathlib import Path

import pytest

from accessibility import assert_no_violations
from test_browser import SECONDS, chromium_page, need_chromium
from test_lab import LabServer

HOSTILE = '<img src=x onerror="document.title=\'owned\'"><script>document.title="owned"</script>'


@pytest.fixture
def lab(tmp_path):
    need_chromium()
    server = LabServer(tmp_path / "lab").start()
    yield server
    server.stop()


def send(lab, learner, function, outcome, words=None):
    mistakes = [{"id": "of_another_edition", "words": words}] if words else []  # not in the catalogue
    event = {"id": uuid.uuid4().hex, "function": function, "outcome": outcome, "time": time.time(),
             "mistakes": mistakes}
    assert lab.call("api/events", {"events": [event]}, code=lab.code(learner))[0] == 200


def row(page, function):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=function, exact=True)).first


def test_the_page_shows_the_class_live_by_keyboard(lab, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    expect = sync_api.expect
    with chromium_page(sync_api) as page:
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(lab.url, wait_until="domcontentloaded", timeout=30 * SECONDS)
        expect(page.get_by_role("heading", name="Lab week1")).to_be_visible()
        assert_no_violations(page, "the lab's sign-in page")  # WCAG 2.1 A/AA, as the project's other pages
        page.get_by_label("Instructor's token").focus()
        page.keyboard.type(lab.token)
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_have_text("Live.", timeout=10 * SECONDS)
        forward = row(page, "linear_forward")
        expect(forward).to_have_text(re.compile(r"linear_forward\s*02_forward_propagation.ipynb\s*0\s*0\s*3"))

        send(lab, "s001", "linear_forward", "failed", HOSTILE)
        expect(forward).to_have_text(re.compile(r"ipynb\s*0\s*1\s*2$"), timeout=10 * SECONDS)
        mistakes = page.get_by_role("table", name=re.compile("^The mistake named"))
        expect(mistakes.get_by_role("rowheader")).to_have_text(HOSTILE)  # shown as text, never run
        stuck = page.get_by_role("table", name=re.compile("^Learners trying"))
        expect(stuck).to_contain_text("Ada Lovelace")
        assert_no_violations(page, "the lab's live page, a learner stuck on a mistake")

        send(lab, "s001", "linear_forward", "passed")
        send(lab, "s002", "linear_forward", "passed")
        expect(forward).to_have_text(re.compile(r"ipynb\s*2\s*0\s*1$"), timeout=10 * SECONDS)
        expect(page.get_by_role("status")).to_have_text("Passes in all: 2.")
        expect(stuck).to_contain_text("Nobody is stuck.")

        send(lab, "s003", "relu", "failed", "relu must keep the positive entries")
        page.get_by_label("Section").focus()
        page.keyboard.press("ArrowDown")  # All sections, A, B: to A
        expect(page.get_by_label("Section")).to_have_value("A")
        expect(page.locator("#summary")).to_have_text(re.compile(r"^2 learner\(s\), 4 check\(s\) so far \(section "
                                                                 r"A\)\.$"), timeout=10 * SECONDS)
        expect(forward).to_have_text(re.compile(r"ipynb\s*1\s*0\s*1$"))
        expect(stuck).to_contain_text("Grace Hopper")

        page.keyboard.press("Tab")  # to the projector checkbox
        page.keyboard.press("Space")
        expect(page.get_by_label("Projector mode (no names)")).to_be_checked()
        expect(page.get_by_role("heading", name="Stuck longest")).to_be_hidden()
        expect(page.get_by_role("row").filter(has_text="relu")).not_to_have_count(0)
        assert "relu must keep" not in page.locator("main").inner_text()  # a learner's words: not on the projector
        expect(mistakes.get_by_role("row").filter(has_text="a mistake the checks do not name")).to_contain_text(
            "relu")
        assert "Grace" not in page.locator("main").inner_text() and "projector=1" in page.url
        assert_no_violations(page, "the lab's page in projector mode")
        page.get_by_role("link", name="Download the whole session as CSV").focus()
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        assert download.value.suggested_filename == "lab-week1.csv"
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
        assert [(row["name"], row["function"], row["outcome"]) for row in rows] == [
            ("Ada Lovelace", "linear_forward", "failed"), ("Ada Lovelace", "linear_forward", "passed"),
            ("Alan Turing", "linear_forward", "passed"), ("Grace Hopper", "relu", "failed")]
        assert rows[0]["mistakes"] == HOSTILE
        screenshot = tmp_path / "lab_screenshot.png"
        page.screenshot(path=str(screenshot), full_page=True)
        assert page.title() == "Lab week1" and dialogs == []
        assert page.locator("main img, main script").count() == 0
    shutil.copyfile(screenshot, "/tmp/lab_screenshot.png")


def contrast(one, other):
    """WCAG 2.1's contrast ratio of two colours #rrggbb."""
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_pages_colours_landmarks_and_labels_meet_wcag_aa():
    """What axe-core's color-contrast, region, label and landmark rules ask of the lab's pages, read from the
    style and the pages as served: text at 4.5:1 at least on the page's background, borders and the focus
    outline at 3:1, everything inside <main>, every field with its label."""
    from grading.lab import page
    style = re.sub(r"#([0-9a-f])([0-9a-f])([0-9a-f])\b", r"#\1\1\2\2\3\3", page.STYLE)  # #fff: #ffffff
    background = re.search(r"body \{[^}]*background: (#[0-9a-f]{6})", style)[1]
    text = re.findall(r"(?<![-\w])color: (#[0-9a-f]{6})", style)
    lines = re.findall(r"(?:border-bottom|outline): \d+px solid (#[0-9a-f]{6})", style)
    assert len(text) >= 4 and len(lines) >= 2 and len(re.findall(r"#[0-9a-f]+", style)) == len(text) + len(lines) + 1
    assert min(contrast(colour, background) for colour in text) >= 4.5, text
    assert min(contrast(colour, background) for colour in lines) >= 3.0, lines
    for html in (page.login("week1", "That is not this lab's instructor token."), page.instructor("week1")):
        body = html.split("<body>", 1)[1]
        assert body.lstrip().startswith("<main>") and body.count("</main>") == 1
        assert re.fullmatch(r"\s*<script src=\"page.js\"></script>\s*|\s*", body.split("</main>")[1].split(
            "</body>")[0]), "nothing outside the main landmark but the script"
        assert '<html lang="en">' in html and "<title>" in html and "<h1>" in body
        for field in re.findall(r"<(?:input|select)[^>]*\bid=\"([^\"]+)\"", body):
            assert f'<label for="{field}">' in body, field
