"""Text alternatives of figures: what a sighted reader takes from a figure, said in words, and the numbers
behind it, travelling with the figure wherever the notebook goes.

describe(target, text, numbers=None)
    Attaches a sentence (and optionally a table of numbers) to a Figure or to one of its Axes. Every drawing
    of companion.plots describes what it draws this way; a figure of your own is described with one call.
figure_description(fig) -> str
    The figure's whole text alternative: its title, then what each Axes shows, in order. An Axes nobody
    described is described from what it holds (titles, axis labels, each curve's start, end and extremes).

In IPython (a notebook, Voila), importing companion.plots makes every matplotlib Figure display as one output
holding: text/html, a <figure> whose <img> carries the description as its alt text, followed by the numbers
as a table in a <details> element; image/png with the description as its "alt" metadata; and text/plain, the
description. JupyterLab and nbconvert's HTML (so Voila too) show the text/html, whose alt text they keep; a
PDF export takes the image/png.
"""
import base64
import html
from collections import namedtuple

import numpy as np

Numbers = namedtuple("Numbers", "caption header rows")
Numbers.__doc__ = """A table of the numbers behind a figure: a caption, the column names, rows of values (the
first value of each row names the row)."""

MAX_ROWS = 30  # a longer series is shown every k-th value, its last one always included


def describe(target, text, numbers=None):
    """Attach `text` (and `numbers`, a Numbers table or a list of them) to a Figure or an Axes; returns target.
    Several calls on one target add up, in order (e.g. several curves drawn on one Axes)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"describe: text must be a non-empty sentence, got {text!r}")
    if numbers is None:
        numbers = []
    elif isinstance(numbers, Numbers):
        numbers = [numbers]
    for table in numbers:
        if not isinstance(table, Numbers):
            raise ValueError(f"describe: numbers must be Numbers tables, got {type(table).__name__}")
    texts = target.__dict__.setdefault("_dnn_texts", [])
    texts.append(text.strip())
    target.__dict__.setdefault("_dnn_numbers", []).extend(numbers)
    return target


def number(value):
    """A number as a reader wants it: 4 significant digits, no exponent for ordinary sizes."""
    value = float(value)
    if not np.isfinite(value):
        return "infinite" if np.isinf(value) else "not a number"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
        return f"{value:.2e}"
    return f"{value:.4g}"


def sampled(count, limit=MAX_ROWS):
    """Indices of a series of `count` values to show in a table: all of them, or every k-th and the last."""
    if count <= limit:
        return list(range(count))
    step = -(-count // (limit - 1))
    indices = list(range(0, count, step))
    return indices if indices[-1] == count - 1 else indices + [count - 1]


def series_summary(x, y, at=""):
    """Where a curve starts and ends, and its lowest and highest points, as a phrase; `at` names x (e.g.
    "iteration ")."""
    x, y = np.asarray(x, dtype=float).reshape(-1), np.asarray(y, dtype=float).reshape(-1)
    finite = np.isfinite(y)
    if not finite.any():
        return "no finite values"
    x, y = x[finite], y[finite]
    low, high = int(np.argmin(y)), int(np.argmax(y))
    text = f"from {number(y[0])} at {at}{number(x[0])} to {number(y[-1])} at {at}{number(x[-1])}"
    if low not in (0, y.size - 1):
        text += f", lowest {number(y[low])} at {at}{number(x[low])}"
    if high not in (0, y.size - 1):
        text += f", highest {number(y[high])} at {at}{number(x[high])}"
    return text


def _described_axes(ax):
    """The texts given for an Axes, or a description made from what it holds."""
    texts = ax.__dict__.get("_dnn_texts")
    if texts:
        return " ".join(texts)
    parts = []
    if ax.get_title():
        parts.append(f"{ax.get_title()}.")
    if ax.images:
        parts.append("A picture.")
    labels = [text for text in (ax.get_xlabel(), ax.get_ylabel()) if text]
    if labels:
        parts.append(f"Axes: {' against '.join(reversed(labels))}.")
    for k, line in enumerate(ax.get_lines()):
        name = line.get_label()
        name = f"curve {k + 1}" if not name or name.startswith("_") else name
        x, y = line.get_data()
        if np.size(x) > 1:
            parts.append(f"{name}: {series_summary(x, y)}.")
    return " ".join(parts) or "An empty plot."


def figure_description(fig):
    """The whole text alternative of a Figure (see the module's docstring)."""
    parts = list(fig.__dict__.get("_dnn_texts", []))
    if not parts and fig._suptitle is not None and fig._suptitle.get_text():
        parts.append(f"{fig._suptitle.get_text()}.")
    axes = [ax for ax in fig.axes if ax.get_visible() and (ax.__dict__.get("_dnn_texts") or ax.axison
                                                          or ax.images or ax.get_title())]
    if not fig.__dict__.get("_dnn_texts"):
        for k, ax in enumerate(axes):
            prefix = f"Panel {k + 1} of {len(axes)}: " if len(axes) > 1 and not _pictures_only(axes) else ""
            parts.append(prefix + _described_axes(ax))
    return " ".join(parts)


def _pictures_only(axes):
    return all(ax.images for ax in axes)


def figure_numbers(fig):
    """The Numbers tables attached to a Figure and its Axes, in order."""
    tables = list(fig.__dict__.get("_dnn_numbers", []))
    for ax in fig.axes:
        tables.extend(ax.__dict__.get("_dnn_numbers", []))
    return tables


def numbers_html(tables):
    """The tables as HTML with header cells, inside a <details> element; "" when there are none."""
    if not tables:
        return ""
    parts = []
    for table in tables:
        head = "".join(f'<th scope="col">{html.escape(str(name))}</th>' for name in table.header)
        body = "".join("<tr>" + f'<th scope="row">{html.escape(str(row[0]))}</th>'
                       + "".join(f"<td>{html.escape(str(value))}</td>" for value in row[1:]) + "</tr>"
                       for row in table.rows)
        parts.append(f"<table class=\"dnn-numbers\"><caption>{html.escape(table.caption)}</caption>"
                     f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return (f'<details class="dnn-figure-numbers"><summary>The numbers in this figure</summary>{"".join(parts)}'
            f"</details>")


def figure_png(fig):
    """The figure as PNG bytes, drawn as the notebook's inline backend draws it (tight bounding box)."""
    import io

    buffer = io.BytesIO()
    fig.canvas.print_figure(buffer, format="png", bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def figure_bundle(fig):
    """(data, metadata) of the display output of a Figure: text/html, image/png and text/plain."""
    text = figure_description(fig)
    png = base64.b64encode(figure_png(fig)).decode("ascii")
    page = (f'<figure class="dnn-figure" style="margin: 0">'
            f'<img src="data:image/png;base64,{png}" alt="{html.escape(text)}" style="max-width: 100%">'
            f"{numbers_html(figure_numbers(fig))}</figure>")
    return {"text/html": page, "image/png": png, "text/plain": text}, {"image/png": {"alt": text}}


def _display_figure(fig):
    from IPython.display import publish_display_data

    data, metadata = figure_bundle(fig)
    publish_display_data(data, metadata)


def install(shell=None):
    """Make every matplotlib Figure shown in this IPython session carry its description (see the module's
    docstring). Does nothing outside IPython; returns True when installed."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    from matplotlib.figure import Figure

    shell.display_formatter.ipython_display_formatter.for_type(Figure, _display_figure)
    return True
