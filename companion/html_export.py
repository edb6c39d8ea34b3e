"""The notebooks as HTML pages a learner can be given (a course site, a learning platform, a learner without
Jupyter): nbconvert's JupyterLab page, made to meet WCAG 2.1 AA.

    python -m companion.html_export notebooks/01_initialization.ipynb ... --out build/html    (or: make html)

What changes from nbconvert's own page: the code is coloured with the "a11y-high-contrast-light" style of
accessible-pygments (every colour at least 4.5:1 on the code's background) instead of nbconvert's, and the
In/Out prompts are dark grey instead of nbconvert's light grey (2.2:1). Figures keep the description their
output carries (companion/plots/described.py), so nbconvert puts no placeholder alt text on them.
"""
import argparse
import sys
from pathlib import Path

SYNTAX_STYLE = "a11y-high-contrast-light"
CODE_BACKGROUND = "#fefefe"  # the style's own background, which its contrasts are measured against
EXTRA_CSS = f"""<style type="text/css">
/* WCAG 2.1 AA: text at least 4.5:1 (companion/html_export.py) */
.jp-InputPrompt, .jp-OutputPrompt {{ color: #595959 !important; opacity: 1 !important; }}
.jp-InputArea-editor, .highlight, .highlight pre {{ background: {CODE_BACKGROUND}; }}
:focus-visible {{ outline: 3px solid #1a5276; outline-offset: 2px; }}
</style>
"""


def exporter():
    """An nbconvert HTMLExporter (the JupyterLab template) with the accessible syntax colours."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.CSSHTMLHeaderPreprocessor.style = SYNTAX_STYLE
    return HTMLExporter(config=config, template_name="lab")


def notebook_html(path, html_exporter=None):
    """The page of the notebook at path, as text."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"notebook_html: there is no notebook {str(path)!r}")
    notebook = nbformat.read(str(path), as_version=4)
    page, _ = (html_exporter or exporter()).from_notebook_node(notebook, resources={"metadata": {"name": path.stem}})
    if "</head>" not in page:
        raise ValueError(f"notebook_html: nbconvert's page of {str(path)!r} has no </head>")
    return page.replace("</head>", EXTRA_CSS + "</head>", 1)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m companion.html_export", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="the notebooks to export")
    parser.add_argument("--out", type=Path, default=Path("build/html"), help="the folder of the pages")
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    html_exporter = exporter()
    for path in options.notebooks:
        target = options.out / (path.stem + ".html")
        target.write_text(notebook_html(path, html_exporter), encoding="utf-8")
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
