"""Every learner can use the lessons: figures described in words (and their numbers given), lessons whose
structure a screen reader can navigate, and pages that pass axe-core's WCAG 2.1 A and AA rules in Chromium:
the notebooks' HTML pages (companion/html_export.py). The notebooks opened in JupyterLab with their stored
outputs and the dashboard (Voila, before and after a run, by keyboard alone) are checked in test_browser.py, a
learner's feedback page in test_feedback.py: each where its server or its pages already are.
docs/accessibility.md says what is checked, what is left out and why.
"""
import html
import json
import re
import shutil
from pathlib import Path

import pytest

from accessibility import LESSONS, PLACEHOLDER, assert_no_violations, figures, need_axe
from test_browser import chromium_page

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOKS = LESSONS + [PROJECT / "notebooks" / "demo.ipynb"]
FIGURES_IN_THE_LESSONS = 26


def cells(path):
    return json.loads(path.read_text())["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_of_every_notebook_carries_its_description(path):
    """Each picture output holds its description three times: the alt text of the <img> in its text/html (what
    JupyterLab, nbconvert and Voila show), the "alt" metadata of its image/png, and its text/plain."""
    shown = figures(path)
    assert shown, f"{path.name} shows no figure"
    for cell_id, output in shown:
        data = output["data"]
        alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
        where = f"{path.name}, cell {cell_id}"
        assert len(alt) >= 80 and PLACEHOLDER not in alt and "<Figure size" not in alt, (where, alt)
        assert "".join(data["text/plain"]) == alt, where
        page = "".join(data["text/html"])
        images = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"', page)
        assert images == [html.escape(alt)], where
        if "<table" in page:  # the numbers behind it, a table a screen reader can walk
            assert '<th scope="col">' in page and "<caption>" in page and "<summary>" in page, where


def test_the_lessons_show_26_figures_each_described_for_what_it_shows():
    described = {path.name: [output["metadata"]["image/png"]["alt"] for _, output in figures(path)] for path in LESSONS}
    assert sum(map(len, described.values())) == FIGURES_IN_THE_LESSONS
    for name, descriptions in described.items():   # (01 and 05 draw the same network: the same description)
        assert len(set(descriptions)) == len(descriptions), name


def markdown_texts(path):
    """The lesson's markdown, without code blocks and mathematics (their brackets are not links)."""
    texts = []
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            text = re.sub(r"```.*?```", "", "".join(cell["source"]), flags=re.S)
            texts.append(re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", "MATH", text, flags=re.S))
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_lessons_structure_reads_with_a_screen_reader(path):
    """One title, headings that never skip a level, links that say where they go, tables with a header row
    whose every cell names its column, and no picture in the prose (a formula in a picture cannot be read)."""
    texts = markdown_texts(path)
    levels = [len(m[1]) for text in texts for m in re.finditer(r"^(#{1,6}) \S", text, flags=re.M)]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    prose = "\n".join(texts)
    for text, target in re.findall(r"\[([^\]]*)\]\(([^)\s]+)\)", prose):
        assert len(text.split()) >= 2 and text.lower() not in ("click here", "this link", "read more") \
            and not text.startswith("http"), f"{path.name}: a link says {text!r} for {target}"
    assert not re.search(r"<img|!\[", prose), f"{path.name}: a picture in the prose"
    for table in re.findall(r"(?:^\|.*\|[ \t]*\n)+", prose + "\n", flags=re.M):
        header, rule = table.splitlines()[:2]
        assert re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+\s*", rule), f"{path.name}: a table without a header row"
        assert all(cell.strip() for cell in header.strip().strip("|").split("|")), \
            f"{path.name}: an empty header cell in {header}"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The five lessons as the HTML pages companion/html_export.py makes of them."""
    from companion.html_export import exporter, notebook_html
    folder = tmp_path_factory.mktemp("html")
    html_exporter = exporter()
    for path in LESSONS:
        (folder / f"{path.stem}.html").write_text(notebook_html(path, html_exporter), encoding="utf-8")
    return folder


def test_the_html_pages_of_the_lessons_pass_axe(exported):
    need_axe()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    pages = sorted(exported.glob("*.html"))
    assert len(pages) == 5
    for path in pages:
        text = path.read_text()
        assert PLACEHOLDER not in text, f"{path.name}: a figure without its description"
        assert text.count('<figure class="dnn-figure"') == len(figures(PROJECT / "notebooks" / f"{path.stem}.ipynb"))
    with chromium_page(sync_api) as page:
        for path in pages:
            page.goto(path.as_uri())
            assert_no_violations(page, f"nbconvert's HTML of {path.stem}")
        page.locator(".dnn-figure").first.scroll_into_view_if_needed()
        page.screenshot(path=str(exported / "html_figure.png"))
    shutil.copyfile(exported / "html_figure.png", Path("/tmp/html_figure_screenshot.png"))


def test_axe_finds_what_it_looks_for_even_where_scripts_are_forbidden():
    """The check itself: on a page that forbids scripts, as the feedback pages do, axe-core still runs and
    names a picture without alt text, a page without a language and an unnamed control."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
    from accessibility import axe_violations
    need_axe()
    with chromium_page(sync_api) as page:
        page.set_content("<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
                         "<title>t</title></head><body><main><img src=\"data:image/png;base64,iVBORw0KGgo=\">"
                         "<input type=\"range\"></main></body></html>")
        found = {line.split(" ")[0] for line in axe_violations(page)}
    assert {"image-alt", "html-has-lang", "label"} <= found, found
