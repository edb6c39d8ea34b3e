"""axe-core in Chromium: the WCAG 2.0 and 2.1 A and AA rules run on a page, or on a part of it.

axe-core comes from npm, pinned in package.json and package-lock.json (`make a11y` installs it into
node_modules/). It is injected through Playwright's evaluate, which a page's Content-Security-Policy does not
stop (the learners' feedback pages forbid every script). docs/accessibility.md lists what is checked where,
and each rule left out of a check with the reason.
"""
import json
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LESSONS = sorted((PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PLACEHOLDER = "No description has been provided for this image"  # nbconvert's, for an <img> without alt
# JupyterLab's own parts (toolbars, the cell editors, the notebook's "feed", heading-collapse buttons) have
# issues of their own, listed in docs/accessibility.md: the check covers what the lessons put on the page,
# their prose and their outputs.
LAB_CONTENT = [".jp-MarkdownOutput", ".jp-OutputArea"]
LAB_CHROME = [".jp-collapseHeadingButton"]


def need_axe():
    from test_browser import missing
    if not AXE.is_file():
        missing(f"{AXE} is missing (`make a11y` installs axe-core from package-lock.json with npm ci)")


def axe_violations(page, include=None, exclude=(), rules_off=()):
    """The WCAG 2.0/2.1 A and AA violations axe-core finds on page (only inside the CSS selectors `include`,
    outside those of `exclude`; without the rules `rules_off`), as readable lines: rule, impact, help, and
    each offending element with axe's summary of what to fix. [] when there is none."""
    need_axe()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        """async ([include, exclude, tags, off]) => {
            const context = include ? {include: include.map(s => [s]), exclude: exclude.map(s => [s])}
                                    : {exclude: exclude.map(s => [s])};
            const rules = Object.fromEntries(off.map(rule => [rule, {enabled: false}]));
            const result = await axe.run(exclude.length || include ? context : document,
                                         {runOnly: {type: "tag", values: tags}, rules, resultTypes: ["violations"]});
            return result.violations.map(v => [v.id, v.impact, v.help,
                v.nodes.slice(0, 5).map(n => n.target.join(" ") + "  " + n.html.slice(0, 200) + "\\n        "
                                        + (n.failureSummary || "").replace(/\\n/g, " ").slice(0, 400))]);
        }""", [list(include) if include else None, list(exclude), WCAG_AA, list(rules_off)])
    return [f"{rule} ({impact}): {help}\n      " + "\n      ".join(nodes) for rule, impact, help, nodes in found]


def assert_no_violations(page, where, **scope):
    """Fail with axe-core's findings (and where they were) when there are any."""
    violations = axe_violations(page, **scope)
    assert not violations, f"axe-core, WCAG 2.1 A/AA, {where}:\n  " + "\n  ".join(violations)


def figures(path):
    """(cell id, output) for every output of the notebook at path that shows a picture."""
    return [(cell.get("id"), output) for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"
            for output in cell.get("outputs", []) if any(kind.startswith("image/") for kind in output.get("data", {}))]


def check_lessons_in_jupyterlab(page, expect, url, timeout):
    """Open each lesson (already in JupyterLab's folder) alone, as JupyterLab's single-document mode shows it:
    every figure is shown with its description, and the prose and the outputs pass axe-core. Where JupyterLab
    exposes its application (--expose-app-in-browser), the lessons after the first are opened in the same page,
    each once the one before is closed, rather than by loading JupyterLab again."""
    for index, path in enumerate(LESSONS):
        if index == 0 or not page.evaluate("() => Boolean(window.jupyterapp)"):
            page.goto(url.format(path.name).replace("/lab/tree/", "/doc/tree/"), wait_until="domcontentloaded",
                      timeout=timeout)
        else:  # the next lesson in the same JupyterLab, as its File > Open does, once the last one is closed
            page.evaluate("async name => { await window.jupyterapp.commands.execute('application:close-all');"
                          "await window.jupyterapp.commands.execute('docmanager:open', {path: name}); }", path.name)
            expect(page.locator(".jp-NotebookPanel")).to_have_count(1, timeout=timeout)
        expect(page.locator(".jp-OutputArea-output").first).to_be_attached(timeout=timeout)
        shown = page.locator(".jp-OutputArea-output img")
        expect(shown).to_have_count(len(figures(path)), timeout=timeout)
        alts = shown.evaluate_all("images => images.map(image => image.alt)")
        assert all(len(alt) >= 80 and PLACEHOLDER not in alt for alt in alts), (path.name, alts)
        assert_no_violations(page, f"{path.name} in JupyterLab", include=LAB_CONTENT, exclude=LAB_CHROME)
