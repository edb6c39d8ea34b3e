"""What every drawing shares: matplotlib's pyplot, imported on first use, so that importing the plots is cheap,
and the colours of the lessons' plots."""

# Okabe and Ito's colour-blind-safe palette (its yellow left out: too pale on white), black first; each curve
# also gets its own line style, so that the curves stay apart in grey scale and for any colour vision.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 3)))
PASS, FAIL = "#009E73", "#D55E00"  # bluish green and vermillion: told apart by colour-blind readers too


def use_palette():
    """Make PALETTE and LINE_STYLES matplotlib's default cycle of colours and line styles."""
    import matplotlib
    from cycler import cycler

    matplotlib.rcParams["axes.prop_cycle"] = cycler(color=PALETTE) + cycler(linestyle=LINE_STYLES)


def pyplot():
    """matplotlib.pyplot (its first import picks the backend: a notebook's inline one, or a file-only one)."""
    import matplotlib.pyplot as plt
    return plt
