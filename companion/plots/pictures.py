"""Pictures in and out: sample images and their labels, the mislabelled ones, and loading a picture of your own.

Every drawing function creates its figure with matplotlib's object API and returns the Figure; in a
notebook, end the cell with `plt.show()` so that the picture is shown once. Images follow the course's
layout: a batch of pictures is (m, 64, 64, 3), and a flattened batch is (12288, m), one column per picture,
holding the pixels of each picture row by row, channel last, scaled to [0, 1].
"""
from pathlib import Path

import numpy as np

from companion.plots.canvas import pyplot
from companion.plots.described import Numbers, describe


def _class_name(classes, label):
    """The name of class `label` (0 or 1) as text, whether `classes` holds bytes (as in the HDF5 files) or str."""
    name = classes[int(label)]
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def _grid(count, ncols, size):
    """A figure with `count` image axes on a grid `ncols` wide (unused cells hidden); returns fig and the axes."""
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    fig, axes = pyplot().subplots(nrows, ncols, figsize=(size * ncols, (size + 0.45) * nrows), squeeze=False)
    axes = axes.ravel()
    for ax in axes[count:]:
        fig.delaxes(ax)
    for ax in axes[:count]:
        ax.axis("off")
    return fig, list(axes[:count])


def _as_picture(column, num_px=None):
    """One flattened picture (n,) back to (num_px, num_px, 3)."""
    if num_px is None:
        num_px = int(round(np.sqrt(column.size / 3)))
    return column.reshape(num_px, num_px, 3)


def show_images(images, labels, classes, indices=None, ncols=5, size=1.8, prefix="", title=None):
    """A grid of pictures, each titled with its class name.

    images  -- (m, height, width, 3) pictures: uint8 0..255 or floats in [0, 1]
    labels  -- m labels 0 or 1, shape (1, m) or (m,)
    classes -- the class names, e.g. [b'non-cat', b'cat'] from load_data
    indices -- which pictures to show (default: all of them)
    ncols   -- pictures per row; size -- inches per picture
    prefix  -- text put before each class name, e.g. "prediction: "
    title   -- a title over the whole grid
    Returns the Figure, with one Axes per picture.
    """
    images = np.asarray(images)
    labels = np.asarray(labels).reshape(-1)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"show_images: images must have shape (m, height, width, 3), got {images.shape}")
    if labels.size != images.shape[0]:
        raise ValueError(f"show_images: got {images.shape[0]} images but {labels.size} labels; expected one label "
                         f"per image")
    indices = range(images.shape[0]) if indices is None else [int(i) for i in indices]
    indices = list(indices)
    fig, axes = _grid(len(indices), ncols, size)
    for ax, index in zip(axes, indices):
        ax.imshow(images[index], interpolation="nearest")
        ax.set_title(f"{prefix}{_class_name(classes, labels[index])}", fontsize=9)
    if title:
        fig.suptitle(title)
    names = [f"{prefix}{_class_name(classes, labels[index])}" for index in indices]
    counts = ", ".join(f"{names.count(name)} titled \"{name}\"" for name in dict.fromkeys(names))
    describe(fig, f"{title + ': ' if title else ''}{len(indices)} picture{'s' if len(indices) != 1 else ''} in a "
                  f"grid, left to right and top to bottom, each titled with its class: {counts}. In order: "
                  + "; ".join(f"picture {index}: {name}" for index, name in zip(indices, names)) + ".")
    fig.tight_layout()
    return fig


def print_mislabeled_images(classes, X, y, p, ncols=5, size=1.8, max_images=None):
    """Show the pictures whose prediction is wrong, each titled with the prediction and the true class.

    classes    -- the class names, e.g. [b'non-cat', b'cat']
    X          -- the flattened pictures, (n, m) with n = num_px * num_px * 3, values in [0, 1]
    y          -- the true labels, (1, m)
    p          -- the predictions, (1, m), e.g. from predict
    max_images -- show at most this many (default: all)
    Returns the Figure (None when every prediction is right); its Axes are the mislabelled pictures in order.
    """
    y = np.asarray(y).reshape(-1)
    p = np.asarray(p).reshape(-1)
    if not (X.ndim == 2 and X.shape[1] == y.size == p.size):
        raise ValueError(f"print_mislabeled_images: X must be (n, m) with m = the number of labels; "
                         f"got X {X.shape}, y {y.size} labels, p {p.size} predictions")
    wrong = np.flatnonzero(p != y)
    if max_images is not None:
        wrong = wrong[:max_images]
    if wrong.size == 0:
        print("No mislabelled images: every prediction is right.")
        return None
    fig, axes = _grid(wrong.size, ncols, size)
    for ax, index in zip(axes, wrong):
        ax.imshow(_as_picture(X[:, index]), interpolation="nearest")
        ax.set_title(f"Prediction: {_class_name(classes, p[index])}\nClass: {_class_name(classes, y[index])}",
                     fontsize=8)
    rows = [(int(index), _class_name(classes, p[index]), _class_name(classes, y[index])) for index in wrong]
    describe(fig, f"{wrong.size} mislabelled picture{'s' if wrong.size != 1 else ''} in a grid, each titled with "
                  f"its prediction and its true class. In order: "
                  + "; ".join(f"picture {i}: predicted {pred}, is {true}" for i, pred, true in rows) + ".",
             Numbers("the mislabelled pictures", ("picture", "prediction", "class"), rows))
    fig.tight_layout()
    return fig


def load_image(path, num_px=64):
    """Open any picture file, as the network needs it.

    path   -- a picture file Pillow can read (JPEG, PNG, GIF, BMP, ...)
    num_px -- the side of the square the picture is resized to (the network was trained on 64 x 64)
    The picture is converted to RGB (transparency and palettes dropped, grey turned to three channels) and
    resized to num_px x num_px, squashing it if it is not square.
    Returns image, the picture as a (1, num_px, num_px, 3) uint8 array, ready for show_images, and x, the
    same picture as a column (num_px * num_px * 3, 1) of floats in [0, 1], ready for predict.
    Raises FileNotFoundError when there is no such file and ValueError when it is not a picture; both
    messages name the path.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"load_image: there is no file {str(path)!r}; check the path (relative paths "
                                f"start from the notebook's folder, {str(Path.cwd())!r})")
    if not path.is_file():
        raise ValueError(f"load_image: {str(path)!r} is a folder, not a picture file")
    try:
        with Image.open(path) as picture:
            picture = picture.convert("RGB").resize((num_px, num_px), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"load_image: {str(path)!r} is not a picture Pillow can read ({error})") from None
    image = np.asarray(picture, dtype=np.uint8).reshape((1, num_px, num_px, 3))
    x = image.reshape((1, -1)).T / 255.
    return image, x
