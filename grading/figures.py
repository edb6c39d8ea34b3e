"""The summary's figures, drawn so that an instructor can act on them.

    OUT/totals.png     the distribution of the learners' totals over the course (a missing lesson counts 0)
    OUT/scores.png     per lesson, on one scale: how many learners got each score, and how many hand-ins were
                       missing, or unreadable or not graded, drawn as such
    OUT/mistakes.png   per lesson, the lost points of each function by cause: each recognised mistake in its
                       own colour (Okabe and Ito's palette, safe for colour-blind readers, with hatching when a
                       lesson has more mistakes than colours), the other causes in greys and patterns; the
                       empty notebooks and the blocked attempts drawn as what they are

The same rows give the same bytes (no date in the files, a fixed hash salt).
"""
import collections
import io
import math

from .classbook import GRADED, MISSING, lessons, write_atomic
from .summary import CAUSES, empty, lesson_total, lost_points, quantile, short, totals

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442"]
HATCHES = ["", "//", "..", "xx"]
OTHER = {  # the causes that are not a recognised mistake: (colour, hatch), in the order drawn
    "wrong": ("#8c8c8c", ""), "crashed": ("#4d4d4d", ""), "out of time": ("#4d4d4d", "//"),
    "memory": ("#4d4d4d", ".."), "disk": ("#4d4d4d", "\\\\"), "output": ("#4d4d4d", "++"),
    "results": ("#4d4d4d", "oo"),
    "attempt": ("#000000", "xx"), "not written": ("#d9d9d9", ""), "missing": ("#ffffff", "//"),
    "did not run": ("#ffffff", ".."),
}
EMPTY = ("#f2f2f2", "\\\\")  # the empty notebooks of a lesson, drawn as one bar of their own
BLUE = "#0072B2"


def write(rows, out):
    """Draw and write the three figures into OUT."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams["svg.hashsalt"] = "dnn"
    plt.rcParams["hatch.linewidth"] = 0.6
    for name, draw in (("totals.png", _totals), ("scores.png", _scores), ("mistakes.png", _mistakes)):
        figure = draw(plt, rows)
        _save(figure, out / name)
    plt.close("all")


def _totals(plt, rows):
    sums = totals(rows)
    figure, axis = plt.subplots(figsize=(7, 3))
    if not sums:
        axis.text(0.5, 0.5, "no learner", ha="center", va="center", transform=axis.transAxes)
        return figure
    values = [total for total, _ in sums.values()]
    out_of = max(top for _, top in sums.values())
    counts = collections.Counter(math.floor(value) for value in values)
    points = range(0, math.ceil(out_of) + 1)
    axis.bar(points, [counts.get(point, 0) for point in points], width=0.85, color=BLUE)
    axis.set_ylim(0, max(counts.values()) * 1.2)
    median = quantile(values, .5)
    axis.axvline(median, color="#D55E00", linestyle="--", linewidth=1.5)
    axis.text(median, axis.get_ylim()[1] * 0.95, f" median {median:.4g}", color="#D55E00", va="top", fontsize=8)
    axis.set_xlabel(f"total points of the course (of {out_of:.4g}); a missing lesson counts 0")
    axis.set_ylabel("learners")
    axis.set_xticks(list(points))
    axis.tick_params(labelsize=8)
    axis.yaxis.get_major_locator().set_params(integer=True)
    axis.set_title(f"Learners' totals ({len(values)} learners)", fontsize=10)
    figure.tight_layout()
    return figure


def _scores(plt, rows):
    names = list(lessons())
    figure, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.2), squeeze=False, sharey=True)
    for axis, lesson in zip(axes[0], names):
        total = int(math.ceil(lesson_total(rows, lesson)))
        mine = [e for e in rows if e.lesson == lesson]
        scores = collections.Counter(min(total, math.floor(e.score)) for e in mine if e.status == GRADED)
        axis.bar(range(total + 1), [scores.get(score, 0) for score in range(total + 1)], color=BLUE,
                 label="graded: its score")
        extra = [("missing", sum(e.status == MISSING for e in mine), "#ffffff", "//"),
                 ("not read", sum(e.status not in (GRADED, MISSING) for e in mine), "#8c8c8c", "xx")]
        for offset, (label, count, colour, hatch) in zip((total + 2, total + 3.5), extra):
            axis.bar(offset, count, color=colour, hatch=hatch, edgecolor="#333333", label=label)
        axis.set_xticks(list(range(total + 1)) + [total + 2, total + 3.5])
        axis.set_xticklabels([str(score) for score in range(total + 1)] + ["missing", "not\nread"], fontsize=7)
        axis.set_title(f"{lesson}\n(score of {total})", fontsize=8)
        axis.yaxis.get_major_locator().set_params(integer=True)
    axes[0][0].set_ylabel("learners")
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, ["graded: learners with that score", "missing: no hand-in",
                            "not read: unreadable, or the grader failed"], loc="lower center", ncol=3, fontsize=8,
                  bbox_to_anchor=(0.5, -0.02))
    figure.suptitle("Scores per lesson (same scale for every lesson)", fontsize=10)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure


def _mistakes(plt, rows):
    causes = lost_points(rows)
    emptied = {lesson: sum(empty(e) for e in rows if e.lesson == lesson) for lesson in lessons()}
    names = [lesson for lesson, functions in lessons().items()
             if emptied[lesson] or any(causes.get(name) for name in functions)]
    if not names:
        figure, axis = plt.subplots(figsize=(7, 1.5))
        axis.axis("off")
        axis.text(0.5, 0.5, "No lost point: every function of every hand-in scored its point", ha="center")
        return figure
    heights = [len(lessons()[lesson]) + bool(emptied[lesson]) + 0.5 for lesson in names]
    figure, axes = plt.subplots(len(names), 1, figsize=(11, 0.32 * sum(heights) + 0.6 * len(names) + 0.8),
                                gridspec_kw={"height_ratios": heights}, squeeze=False)
    widest = max([sum(found.values()) for found in causes.values()] + list(emptied.values()) + [1])
    for axis, lesson in zip(axes[:, 0], names):
        functions = list(lessons()[lesson])
        labels = functions + ["empty notebooks"] * bool(emptied[lesson])
        left = [0] * len(labels)
        colours = iter([(colour, hatch) for hatch in HATCHES for colour in OKABE_ITO])
        mistakes = sorted({cause for name in functions for cause in causes.get(name, {}) if cause not in CAUSES},
                          key=lambda cause: next(i for i, name in enumerate(functions) if cause in
                                                 causes.get(name, {})))
        drawn = [(name, cause, *next(colours)) for cause in mistakes for name in functions
                 if cause in causes.get(name, {})]
        drawn += [(None, cause, *style) for cause, style in OTHER.items()]
        for name, cause, colour, hatch in drawn:
            counts = [causes.get(function, {}).get(cause, 0) if name in (None, function) else 0
                      for function in functions] + [0] * bool(emptied[lesson])
            if not any(counts):
                continue
            label = f"{name}: {short(name, cause)}" if name else CAUSES[cause]
            axis.barh(labels, counts, left=left, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.5,
                      label=label)
            left = [a + b for a, b in zip(left, counts)]
        if emptied[lesson]:
            axis.barh(labels, [0] * len(functions) + [emptied[lesson]], color=EMPTY[0], hatch=EMPTY[1],
                      edgecolor="#333333", linewidth=0.5, label="empty notebook: nothing written (whole lesson)")
        axis.invert_yaxis()
        axis.set_xlim(0, widest * 1.05)
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.tick_params(labelsize=8)
        axis.set_title(lesson, fontsize=9, loc="left")
        axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    axes[-1, 0].set_xlabel("lost points (learners)")
    spared = [lesson for lesson in lessons() if lesson not in names]
    figure.suptitle("Lost points per function, by cause" + (f" (no lost point in {', '.join(spared)})"
                                                              if spared else ""), fontsize=10)
    figure.tight_layout()
    return figure


def _save(figure, path):
    data = io.BytesIO()
    figure.savefig(data, format="png", dpi=100, metadata={"Software": None}, bbox_inches="tight")
    write_atomic(path, data.getvalue())
