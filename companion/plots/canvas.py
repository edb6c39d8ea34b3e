"""What every drawing shares: matplotlib's pyplot, imported on first use, so that importing the plots is cheap."""


def pyplot():
    """matplotlib.pyplot (its first import picks the backend: a notebook's inline one, or a file-only one)."""
    import matplotlib.pyplot as plt
    return plt
