"""Make the project's own cat / non-cat data set: drawn pictures in the layout of the course's files.

The course's application trains on train_catvnoncat.h5 and test_catvnoncat.h5, photographs that cannot be
redistributed. This script draws a stand-in with the same layout, so that the notebooks run out of the box:

    train_drawncat.h5   train_set_x (209, 64, 64, 3) uint8, train_set_y (209,) int64, list_classes
    test_drawncat.h5    test_set_x  (50, 64, 64, 3) uint8,  test_set_y  (50,) int64,  list_classes

with list_classes = [b'non-cat', b'cat'] and the course's class balance (72 cats of 209, 33 of 50).

What is drawn
    cats (label 1)     a cat's face (round head, two triangular ears, slit-pupil eyes, pink nose, whiskers),
                       or a whole cat sitting (body, tail, and the same face, smaller)
    non-cats (label 0) other animals' faces, some of them close to a cat on purpose: a dog (floppy ears),
                       a bear (round ears), a mouse (big round ears, whiskers), a rabbit (long ears,
                       whiskers), a fox (pointed ears, but a long pointed snout) and an owl (pointed ear
                       tufts, big round eyes, a beak); and things: a house, a car, a flower, a ball, a tree,
                       a cup, a fish
Every picture gets random fur colours (the same palette for cats and other animals, so colour alone does not
give the answer), size, position and a slight tilt, on a flat, gradient, striped, checked or dotted
background, sometimes with clutter, then a random overall lighting and pixel noise.

How it is drawn
    Only numpy: each shape is a mask on a coordinate grid four times finer than the 64 x 64 picture, and
    the finished picture is averaged down 4 x 4, which smooths the edges. One np.random.RandomState(seed)
    is passed to every function, so a fixed seed and a pinned numpy give the same pictures every time.

Usage
    python datasets/make_drawncat.py           write both files next to this script
    python datasets/make_drawncat.py --check   regenerate in memory and compare with the files on disk
    make_dataset(seed=SEED)                    the arrays (train_x, train_y, test_x, test_y, classes)
"""
import argparse
import sys
from pathlib import Path

import numpy as np

SEED = 1
HERE = Path(__file__).resolve().parent
TRAIN_FILE = HERE / "train_drawncat.h5"
TEST_FILE = HERE / "test_drawncat.h5"
CLASSES = np.array([b"non-cat", b"cat"])

PICTURE_SIZE = 64          # pixels on a side, as in the course
SUPERSAMPLE = 4            # shapes are drawn on a grid this many times finer, then averaged down
N_TRAIN, N_TRAIN_CATS = 209, 72
N_TEST, N_TEST_CATS = 50, 33

# How hard the pictures are. Tuned so that, as in the course, the L-layer model [12288, 20, 7, 5, 1] beats
# the two-layer model (12288, 7, 1) on the test pictures and neither gets them all right, for every generator
# seed tried: datasets/depth_margin.py measures the margin for seeds 1 to 8 and on 200 more pictures.
MAX_SHIFT = 4              # pixels the subject may move from the centre, each way
MAX_TILT = 0.25            # radians the subject may turn, each way
SIZE_SCALE = 1.1           # every subject's size range is multiplied by this
CLUTTER_CHANCE = 0.5       # chance of a few random shapes behind the subject
NOISE_LEVELS = (6, 18)     # range of the standard deviation of the pixel noise (grain, as in dim photos)
LIGHTING = (0.6, 1.1)      # range of the factor that darkens or brightens a whole picture
BACKGROUND_DIMMING = 0.5   # background colours are mixed this much with near-black (dim rooms, dusk)


# ----------------------------------------------------------------------------------------------------------
# The canvas: a fine coordinate grid, masks on it, and the picture averaged down at the end

class Canvas:
    """A picture being drawn at SUPERSAMPLE times the final resolution.

    x, y are the picture coordinates of every fine sample, in final pixels (0 to 64, y downwards).
    place() sets the drawing's own coordinates u, v (origin, unit size, tilt, mirror); every shape method
    takes its numbers in those units and returns a boolean mask, which fill() paints.
    """

    def __init__(self):
        n = PICTURE_SIZE * SUPERSAMPLE
        coords = (np.arange(n) + 0.5) / SUPERSAMPLE
        self.y, self.x = np.meshgrid(coords, coords, indexing="ij")
        self.rgb = np.zeros((n, n, 3))
        self.place(PICTURE_SIZE / 2, PICTURE_SIZE / 2, 1.0)

    def place(self, cx, cy, unit, tilt=0.0, mirror=False):
        """Put the drawing's origin at pixel (cx, cy), one unit = `unit` pixels, turned by `tilt` radians."""
        u, v = _turn(self.x - cx, self.y - cy, tilt)
        self.u, self.v = u / unit, v / unit
        if mirror:
            self.u = -self.u

    def fill(self, mask, color, opacity=1.0):
        self.rgb[mask] = (1 - opacity) * self.rgb[mask] + opacity * np.asarray(color, dtype=float)

    # Shapes, in the drawing's units -----------------------------------------------------------------------

    def ellipse(self, cx, cy, rx, ry=None, turn=0.0):
        ry = rx if ry is None else ry
        du, dv = _turn(self.u - cx, self.v - cy, turn)
        return (du / rx) ** 2 + (dv / ry) ** 2 <= 1

    def rectangle(self, x0, y0, x1, y1):
        return (self.u >= x0) & (self.u <= x1) & (self.v >= y0) & (self.v <= y1)

    def polygon(self, points):
        """Inside the closed polygon through `points` (even-odd rule, so any simple polygon works)."""
        inside = np.zeros(self.u.shape, dtype=bool)
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
            if y0 == y1:
                continue
            crosses = (y0 > self.v) != (y1 > self.v)
            x_at = x0 + (x1 - x0) * (self.v - y0) / (y1 - y0)
            inside ^= crosses & (self.u < x_at)
        return inside

    def line(self, points, width):
        """A stroke of the given width along the polyline through `points`."""
        mask = np.zeros(self.u.shape, dtype=bool)
        for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
            ex, ey = x1 - x0, y1 - y0
            t = np.clip(((self.u - x0) * ex + (self.v - y0) * ey) / max(ex * ex + ey * ey, 1e-12), 0, 1)
            mask |= (self.u - x0 - t * ex) ** 2 + (self.v - y0 - t * ey) ** 2 <= (width / 2) ** 2
        return mask

    def arc(self, cx, cy, r, start, stop, width):
        """A stroke along the circle of radius r from angle `start` to `stop` (radians, v downwards)."""
        du, dv = self.u - cx, self.v - cy
        on_ring = np.abs(np.hypot(du, dv) - r) <= width / 2
        angle = np.arctan2(dv, du)
        return on_ring & ((angle - start) % (2 * np.pi) <= (stop - start) % (2 * np.pi))

    def picture(self, rng, noise, light=1.0):
        """The finished 64 x 64 x 3 uint8 picture: averaged down, lit, with Gaussian pixel noise."""
        n, s = PICTURE_SIZE, SUPERSAMPLE
        small = self.rgb.reshape(n, s, n, s, 3).mean(axis=(1, 3)) * light
        small += rng.normal(0, noise, small.shape)
        return np.clip(np.round(small), 0, 255).astype(np.uint8)


def _turn(du, dv, angle):
    """Coordinates (du, dv) seen from axes turned by `angle`."""
    cos, sin = np.cos(angle), np.sin(angle)
    return cos * du + sin * dv, -sin * du + cos * dv


# ----------------------------------------------------------------------------------------------------------
# Colours

FUR_COLORS = {
    "ginger": (226, 132, 52), "grey": (128, 128, 134), "black": (44, 40, 40), "white": (236, 234, 226),
    "cream": (232, 208, 164), "brown": (132, 86, 50), "tan": (196, 150, 98), "silver": (182, 182, 188),
}
EYE_COLORS = [(120, 190, 70), (230, 200, 60), (215, 140, 40), (90, 160, 220)]
PINK = (238, 150, 160)
BLACK = (25, 22, 22)
WHITE = (248, 248, 244)


def jitter(rng, color, amount=16):
    return np.clip(np.asarray(color, dtype=float) + rng.uniform(-amount, amount, 3), 0, 255)


def fur_color(rng):
    names = sorted(FUR_COLORS)
    return jitter(rng, FUR_COLORS[names[rng.randint(len(names))]])


def any_color(rng):
    return rng.uniform(20, 245, 3)


def lighter(color, t):
    return np.asarray(color) + (255 - np.asarray(color)) * t


def darker(color, t):
    return np.asarray(color) * (1 - t)


def ink_for(color):
    """Black on light colours, near-white on dark ones: for whiskers, mouths and outlines."""
    return BLACK if np.mean(color) > 110 else (225, 225, 220)


# ----------------------------------------------------------------------------------------------------------
# Backgrounds and clutter

def background_color(rng):
    """Any colour, dimmed: darker backgrounds keep most subjects standing out, and the pixels' mean low."""
    return any_color(rng) * (1 - BACKGROUND_DIMMING) + 20 * BACKGROUND_DIMMING


def draw_background(c, rng):
    """Fill the canvas with a flat, gradient, striped, checked or dotted background."""
    a, b = background_color(rng), background_color(rng)
    c.place(rng.uniform(0, 64), rng.uniform(0, 64), rng.uniform(3, 9), rng.uniform(0, np.pi))
    kind = rng.choice(["flat", "gradient", "gradient", "stripes", "checks", "dots"])
    if kind == "flat":
        c.rgb[:] = a
    elif kind == "gradient":
        t = np.clip((c.u / 10 + 0.5), 0, 1)[..., None]
        c.rgb[:] = (1 - t) * a + t * b
    else:
        c.rgb[:] = a
        b = a + (b - a) * rng.uniform(0.25, 0.6)  # patterns in softer contrast, so the subject stands out
        if kind == "stripes":
            c.fill(np.sin(c.u * np.pi) > 0, b)
        elif kind == "checks":
            c.fill((np.floor(c.u) + np.floor(c.v)) % 2 == 0, b)
        else:
            c.fill((c.u - np.round(c.u)) ** 2 + (c.v - np.round(c.v)) ** 2 < 0.08, b)


def draw_clutter(c, rng):
    """A few random blobs and strokes, anywhere on the picture."""
    c.place(0, 0, 1.0)
    for _ in range(rng.randint(1, 5)):
        x, y, r = rng.uniform(0, 64), rng.uniform(0, 64), rng.uniform(2, 9)
        if rng.rand() < 0.5:
            mask = c.ellipse(x, y, r, r * rng.uniform(0.4, 1), rng.uniform(0, np.pi))
        else:
            mask = c.line([(x, y), (x + rng.uniform(-20, 20), y + rng.uniform(-20, 20))], rng.uniform(1, 3))
        c.fill(mask, any_color(rng), rng.uniform(0.4, 1))


def place_subject(c, rng, unit_range, center=(0.0, 0.0), tilt=None):
    """Put the drawing somewhere near the middle of the picture, at a random size, tilt and side."""
    tilt = MAX_TILT if tilt is None else tilt
    unit = rng.uniform(*unit_range) * SIZE_SCALE
    cx = PICTURE_SIZE / 2 + rng.uniform(-MAX_SHIFT, MAX_SHIFT) - center[0] * unit
    cy = PICTURE_SIZE / 2 + rng.uniform(-MAX_SHIFT, MAX_SHIFT) - center[1] * unit
    c.place(cx, cy, unit, rng.uniform(-tilt, tilt), mirror=rng.rand() < 0.5)


# ----------------------------------------------------------------------------------------------------------
# Parts shared by several animals (u to the right, v downwards; a head has radius about 1)

def pointed_ears(c, fur, inner, height, spread=0.0, width=0.75):
    """Two triangular ears on top of a head of radius 1; `inner` None for no inner colour."""
    for side in (-1, 1):
        outer = [(side * 0.2, -0.85), (side * (0.2 + width), -0.55 + 0.1 * width),
                 (side * (0.6 + spread), -0.75 - height)]
        c.fill(c.polygon(outer), fur)
        if inner is not None:
            cx, cy = np.mean(outer, axis=0)
            c.fill(c.polygon([(cx + 0.55 * (x - cx), cy + 0.55 * (y - cy)) for x, y in outer]), inner)


def round_ears(c, fur, inner, x, y, r):
    for side in (-1, 1):
        c.fill(c.ellipse(side * x, y, r), fur)
        c.fill(c.ellipse(side * x, y, r * 0.6), inner)


def eyes(c, x, y, r, iris, pupil="round", height=1.0):
    """A pair of eyes; pupil "slit" (cat, fox), "round" (most) or "dot" (black eye with a glint)."""
    for side in (-1, 1):
        ex = side * x
        if pupil == "dot":
            c.fill(c.ellipse(ex, y, r, r * height), BLACK)
            c.fill(c.ellipse(ex - 0.35 * r, y - 0.35 * r, r * 0.3), WHITE)
            continue
        c.fill(c.ellipse(ex, y, r, r * height), iris)
        pupil_width = 0.25 if pupil == "slit" else 0.5
        c.fill(c.ellipse(ex, y, r * pupil_width, r * height * 0.9), BLACK)


def whiskers(c, x, y, length, color, width=0.035):
    for side in (-1, 1):
        for k in (-1, 0, 1):
            c.fill(c.line([(side * x, y + 0.05 * k), (side * (x + length), y + 0.2 * k - 0.05)], width), color)


def cat_mouth(c, y, color, width=0.05):
    """The cat's small nose-to-mouth line and its two arcs (a rounded 'w')."""
    c.fill(c.line([(0, y), (0, y + 0.1)], width), color)
    for side in (-1, 1):
        c.fill(c.arc(side * 0.12, y + 0.1, 0.12, 0.2, np.pi - 0.2, width), color)


# ----------------------------------------------------------------------------------------------------------
# Cats (label 1)

def cat_head(c, rng, fur):
    """A cat's head of radius 1 at the origin: ears, face, markings, eyes, nose, mouth and whiskers."""
    pointed_ears(c, fur, PINK if rng.rand() < 0.7 else darker(fur, 0.3),
                 height=rng.uniform(0.45, 0.8), spread=rng.uniform(-0.1, 0.25), width=rng.uniform(0.6, 0.8))
    c.fill(c.ellipse(0, 0, 1.0, rng.uniform(0.82, 0.95)), fur)
    if rng.rand() < 0.4:  # a white muzzle and chin
        c.fill(c.ellipse(0, 0.4, 0.45, 0.35), lighter(fur, 0.7))
    if rng.rand() < 0.4:  # tabby stripes on the forehead
        for k in (-1, 0, 1):
            c.fill(c.line([(0.18 * k, -0.8), (0.14 * k, -0.5)], 0.08), darker(fur, 0.45))
    eyes(c, 0.4, -0.1, rng.uniform(0.15, 0.21), jitter(rng, EYE_COLORS[rng.randint(len(EYE_COLORS))]),
         pupil="slit" if rng.rand() < 0.75 else "round", height=rng.uniform(0.9, 1.2))
    c.fill(c.polygon([(-0.11, 0.15), (0.11, 0.15), (0, 0.28)]), PINK)
    cat_mouth(c, 0.27, ink_for(fur))
    whiskers(c, 0.3, 0.32, rng.uniform(0.75, 1.1), ink_for(fur) if rng.rand() < 0.5 else WHITE)


def draw_cat_face(c, rng):
    place_subject(c, rng, (12, 20), center=(0, -0.2))
    cat_head(c, rng, fur_color(rng))


def draw_sitting_cat(c, rng):
    """A whole cat seen from the front: tail, body, front paws, and the head on top."""
    place_subject(c, rng, (8, 11), center=(0, 0.9), tilt=MAX_TILT / 2)
    fur = fur_color(rng)
    c.fill(c.line([(0.7, 2.6), (1.5, 2.2), (1.7, 1.3), (1.5, 0.8)], 0.28), fur)  # the tail
    c.fill(c.ellipse(0, 1.75, 0.95, 1.05), fur)
    c.fill(c.ellipse(0, 1.85, 0.5, 0.7), lighter(fur, rng.uniform(0, 0.5)))  # the chest
    for side in (-1, 1):
        c.fill(c.ellipse(side * 0.4, 2.7, 0.28, 0.17), lighter(fur, 0.25))
    cat_head(c, rng, fur)


# ----------------------------------------------------------------------------------------------------------
# Other animals (label 0)

def draw_dog_face(c, rng):
    place_subject(c, rng, (12, 19))
    fur, ear = fur_color(rng), fur_color(rng)
    c.fill(c.ellipse(0, 0, 0.85, 1.0), fur)
    for side in (-1, 1):  # floppy ears hanging by the cheeks
        c.fill(c.ellipse(side * 0.85, 0.05, 0.3, 0.7, turn=-side * 0.3), ear)
    c.fill(c.ellipse(0, 0.45, 0.5, 0.4), lighter(fur, 0.5))
    eyes(c, 0.35, -0.2, 0.13, None, pupil="dot")
    c.fill(c.ellipse(0, 0.28, 0.2, 0.13), BLACK)
    c.fill(c.line([(0, 0.35), (0, 0.55)], 0.05), BLACK)
    c.fill(c.arc(0, 0.35, 0.25, 0.5, np.pi - 0.5, 0.05), BLACK)
    if rng.rand() < 0.5:
        c.fill(c.ellipse(0, 0.72, 0.13, 0.16), PINK)


def draw_bear_face(c, rng):
    place_subject(c, rng, (12, 19))
    fur = fur_color(rng)
    round_ears(c, fur, lighter(fur, 0.35), 0.72, -0.72, 0.32)
    c.fill(c.ellipse(0, 0, 1.0, 0.92), fur)
    c.fill(c.ellipse(0, 0.38, 0.42, 0.32), lighter(fur, 0.55))
    eyes(c, 0.38, -0.15, 0.1, None, pupil="dot")
    c.fill(c.ellipse(0, 0.25, 0.16, 0.11), BLACK)
    c.fill(c.arc(0, 0.3, 0.18, 0.6, np.pi - 0.6, 0.05), BLACK)


def draw_mouse_face(c, rng):
    place_subject(c, rng, (11, 17))
    fur = fur_color(rng)
    round_ears(c, fur, PINK, 0.8, -0.7, 0.5)
    c.fill(c.polygon([(-0.85, -0.2), (0.85, -0.2), (0.15, 0.85), (-0.15, 0.85)]), fur)
    c.fill(c.ellipse(0, -0.15, 0.85, 0.65), fur)
    eyes(c, 0.32, -0.15, 0.12, None, pupil="dot")
    c.fill(c.ellipse(0, 0.8, 0.12), PINK)
    whiskers(c, 0.15, 0.7, rng.uniform(0.7, 1.0), ink_for(fur))


def draw_rabbit_face(c, rng):
    place_subject(c, rng, (10, 15), center=(0, -0.6), tilt=MAX_TILT / 2)
    fur = fur_color(rng)
    for side in (-1, 1):
        lean = side * rng.uniform(0, 0.4)
        c.fill(c.ellipse(side * 0.38, -1.45, 0.24, 0.85, turn=lean), fur)
        c.fill(c.ellipse(side * 0.38, -1.4, 0.12, 0.65, turn=lean), PINK)
    c.fill(c.ellipse(0, 0, 0.85, 0.8), fur)
    eyes(c, 0.35, -0.15, 0.12, None, pupil="dot")
    c.fill(c.ellipse(0, 0.25, 0.1, 0.08), PINK)
    c.fill(c.rectangle(-0.1, 0.4, 0.1, 0.58), WHITE)
    whiskers(c, 0.2, 0.3, rng.uniform(0.6, 0.9), ink_for(fur))


def draw_fox_face(c, rng):
    """Pointed ears like a cat's, but a long pointed snout with white cheeks and a black nose at the tip."""
    place_subject(c, rng, (12, 19), center=(0, -0.1))
    fur = jitter(rng, FUR_COLORS["ginger"] if rng.rand() < 0.6 else fur_color(rng), 24)
    pointed_ears(c, fur, darker(fur, 0.55), height=rng.uniform(0.7, 1.0), spread=0.2, width=0.7)
    c.fill(c.ellipse(0, -0.2, 1.0, 0.65), fur)
    snout = [(-1.0, -0.15), (1.0, -0.15), (0.12, 1.0), (-0.12, 1.0)]
    c.fill(c.polygon(snout), fur)
    for side in (-1, 1):
        c.fill(c.polygon([(side * 1.0, -0.15), (side * 0.2, 0.2), (side * 0.1, 0.95)]), WHITE)
    eyes(c, 0.38, -0.25, 0.13, jitter(rng, EYE_COLORS[2]), pupil="slit", height=0.7)
    c.fill(c.ellipse(0, 0.95, 0.13, 0.1), BLACK)


def draw_owl(c, rng):
    """Pointed ear tufts and a round face, but big round eyes in pale discs, a beak and wings."""
    place_subject(c, rng, (10, 15), center=(0, 0.4), tilt=MAX_TILT / 2)
    feathers = fur_color(rng)
    pointed_ears(c, feathers, None, height=rng.uniform(0.3, 0.6), spread=0.2, width=0.45)
    c.fill(c.ellipse(0, 0.5, 0.95, 1.25), feathers)
    for side in (-1, 1):
        c.fill(c.ellipse(side * 0.85, 0.8, 0.3, 0.8, turn=side * 0.2), darker(feathers, 0.35))
        c.fill(c.ellipse(side * 0.38, -0.15, 0.38), lighter(feathers, 0.6))
    c.fill(c.ellipse(0, 1.0, 0.5, 0.55), lighter(feathers, 0.3))
    eyes(c, 0.38, -0.15, 0.24, (245, 200, 40), pupil="round")
    c.fill(c.polygon([(-0.12, 0.12), (0.12, 0.12), (0, 0.42)]), (230, 150, 40))


# ----------------------------------------------------------------------------------------------------------
# Things (label 0)

def draw_house(c, rng):
    place_subject(c, rng, (13, 20), center=(0, 0.1), tilt=MAX_TILT / 2)
    c.fill(c.rectangle(0.45, -1.1, 0.7, -0.4), darker(any_color(rng), 0.3))  # chimney
    c.fill(c.polygon([(-1.15, -0.2), (1.15, -0.2), (0, -1.1)]), any_color(rng))
    c.fill(c.rectangle(-0.9, -0.2, 0.9, 1.0), any_color(rng))
    c.fill(c.rectangle(-0.2, 0.35, 0.2, 1.0), darker(any_color(rng), 0.4))
    for side in (-1, 1):
        c.fill(c.rectangle(side * 0.6 - 0.18, 0.05, side * 0.6 + 0.18, 0.4), (170, 210, 240))


def draw_car(c, rng):
    place_subject(c, rng, (11, 16), tilt=MAX_TILT / 3)
    body = any_color(rng)
    c.fill(c.polygon([(-0.9, -0.2), (-0.55, -0.7), (0.5, -0.7), (0.9, -0.2)]), body)
    c.fill(c.rectangle(-1.5, -0.25, 1.5, 0.35) | c.ellipse(1.5, 0.05, 0.15, 0.3), body)
    c.fill(c.polygon([(-0.75, -0.25), (-0.5, -0.6), (0.4, -0.6), (0.7, -0.25)]), (170, 210, 240))
    c.fill(c.rectangle(-0.05, -0.65, 0.05, -0.2), body)
    for x in (-0.9, 0.9):
        c.fill(c.ellipse(x, 0.35, 0.35), BLACK)
        c.fill(c.ellipse(x, 0.35, 0.15), (170, 170, 170))


def draw_flower(c, rng):
    place_subject(c, rng, (9, 14), center=(0, 0.6))
    c.fill(c.line([(0, 0), (0.1, 1.3), (0, 2.4)], 0.15), (60, 140, 50))
    c.fill(c.ellipse(0.4, 1.5, 0.35, 0.15, turn=-0.5), (70, 160, 60))
    petals, n = any_color(rng), rng.randint(5, 9)
    for k in range(n):
        angle = 2 * np.pi * k / n
        c.fill(c.ellipse(0.6 * np.cos(angle), 0.6 * np.sin(angle), 0.5, 0.3, turn=angle), petals)
    c.fill(c.ellipse(0, 0, 0.35), jitter(rng, (240, 200, 40)))


def draw_ball(c, rng):
    place_subject(c, rng, (11, 19), tilt=np.pi)
    color = any_color(rng)
    c.fill(c.ellipse(0, 0, 1.0), color)
    band = c.rectangle(-2, -0.25, 2, 0.25) if rng.rand() < 0.5 else c.arc(0, -1.3, 1.1, 0, np.pi, 0.25)
    c.fill(band & c.ellipse(0, 0, 1.0), any_color(rng))
    c.fill(c.ellipse(-0.35, -0.4, 0.25, 0.15, turn=-0.6), lighter(color, 0.6))


def draw_tree(c, rng):
    place_subject(c, rng, (9, 14), center=(0, 0.3), tilt=MAX_TILT / 3)
    c.fill(c.rectangle(-0.2, 0.5, 0.2, 2.0), jitter(rng, FUR_COLORS["brown"]))
    leaves = jitter(rng, (60, 140, 60), 40)
    if rng.rand() < 0.5:  # a round leafy crown
        for x, y, r in [(0, -0.3, 1.0), (-0.7, 0.2, 0.7), (0.7, 0.2, 0.7)]:
            c.fill(c.ellipse(x, y, r), leaves)
    else:  # a pine: stacked triangles
        for k in range(3):
            y = -1.4 + 0.7 * k
            c.fill(c.polygon([(0, y), (0.6 + 0.3 * k, y + 1.0), (-0.6 - 0.3 * k, y + 1.0)]), leaves)


def draw_cup(c, rng):
    place_subject(c, rng, (12, 18), tilt=MAX_TILT / 3)
    color = any_color(rng)
    c.fill(c.arc(0.85, 0.0, 0.35, -np.pi / 2, np.pi / 2, 0.15), color)
    c.fill(c.polygon([(-0.8, -0.7), (0.8, -0.7), (0.6, 0.8), (-0.6, 0.8)]), color)
    c.fill(c.ellipse(0, -0.7, 0.8, 0.15), darker(color, 0.4))
    c.fill(c.ellipse(0, 0.9, 1.1, 0.15), lighter(color, 0.4))
    for x in (-0.3, 0.2):
        c.fill(c.line([(x, -0.95), (x + 0.15, -1.2), (x, -1.45)], 0.08), (230, 230, 230), 0.7)


def draw_fish(c, rng):
    place_subject(c, rng, (11, 17), tilt=MAX_TILT)
    color = any_color(rng)
    c.fill(c.polygon([(0.9, 0), (1.6, -0.6), (1.6, 0.6)]), darker(color, 0.3))
    c.fill(c.ellipse(0, 0, 1.1, 0.6), color)
    c.fill(c.polygon([(-0.2, -0.5), (0.4, -0.9), (0.5, -0.4)]), darker(color, 0.3))
    c.fill(c.ellipse(-0.6, -0.12, 0.13), BLACK)
    c.fill(c.arc(-0.25, 0, 0.4, -0.9, 0.9, 0.06), darker(color, 0.4))


CATS = [(draw_cat_face, 3), (draw_sitting_cat, 1)]
NON_CATS = [(draw_dog_face, 2), (draw_bear_face, 2), (draw_mouse_face, 2), (draw_rabbit_face, 2),
            (draw_fox_face, 3), (draw_owl, 2), (draw_house, 1), (draw_car, 1), (draw_flower, 1),
            (draw_ball, 1), (draw_tree, 1), (draw_cup, 1), (draw_fish, 1)]


# ----------------------------------------------------------------------------------------------------------
# The data set

def draw_picture(rng, is_cat):
    """One 64 x 64 x 3 uint8 picture: a background, maybe clutter, then a cat or something else."""
    choices = CATS if is_cat else NON_CATS
    weights = np.array([weight for _, weight in choices], dtype=float)
    draw_subject = choices[rng.choice(len(choices), p=weights / weights.sum())][0]
    c = Canvas()
    draw_background(c, rng)
    if rng.rand() < CLUTTER_CHANCE:
        draw_clutter(c, rng)
    draw_subject(c, rng)
    return c.picture(rng, rng.uniform(*NOISE_LEVELS), rng.uniform(*LIGHTING))


def make_split(rng, n, n_cats):
    """n pictures, n_cats of them cats at random places; returns x (n, 64, 64, 3) uint8 and y (n,) int64."""
    y = np.zeros(n, dtype=np.int64)
    y[rng.permutation(n)[:n_cats]] = 1
    x = np.stack([draw_picture(rng, label == 1) for label in y])
    return x, y


def make_dataset(seed=SEED):
    """The whole data set for a seed: train_x, train_y, test_x, test_y, classes (as in the shipped files)."""
    rng = np.random.RandomState(seed)
    train_x, train_y = make_split(rng, N_TRAIN, N_TRAIN_CATS)
    test_x, test_y = make_split(rng, N_TEST, N_TEST_CATS)
    return train_x, train_y, test_x, test_y, CLASSES.copy()


def write_split(path, split, x, y):
    """One file in the course's layout, uncompressed, without timestamps (same arrays, same bytes)."""
    import h5py

    with h5py.File(path, "w") as h5:
        h5.create_dataset(f"{split}_set_x", data=x, track_times=False)
        h5.create_dataset(f"{split}_set_y", data=y, track_times=False)
        h5.create_dataset("list_classes", data=CLASSES, track_times=False)


def read_split(path, split):
    import h5py

    with h5py.File(path, "r") as h5:
        return tuple(np.array(h5[key][:]) for key in (f"{split}_set_x", f"{split}_set_y", "list_classes"))


def check_files(seed=SEED):
    """Regenerate in memory and compare with the files on disk; returns a list of problems (empty if none)."""
    train_x, train_y, test_x, test_y, classes = make_dataset(seed)
    problems = []
    for path, split, expected in [(TRAIN_FILE, "train", (train_x, train_y, classes)),
                                  (TEST_FILE, "test", (test_x, test_y, classes))]:
        if not path.is_file():
            problems.append(f"{path} does not exist")
            continue
        for name, want, got in zip((f"{split}_set_x", f"{split}_set_y", "list_classes"), expected,
                                   read_split(path, split)):
            if want.shape != got.shape or want.dtype != got.dtype or not np.array_equal(want, got):
                problems.append(f"{path.name}: {name} differs from the regenerated one "
                                f"(file {got.dtype} {got.shape}, regenerated {want.dtype} {want.shape})")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate in memory and compare with the files on disk instead of writing")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    args = parser.parse_args(argv)
    if args.check:
        problems = check_files(args.seed)
        for problem in problems:
            print("mismatch:", problem, file=sys.stderr)
        if problems:
            return 1
        print(f"{TRAIN_FILE.name} and {TEST_FILE.name} match the generator (seed {args.seed})")
        return 0
    train_x, train_y, test_x, test_y, _ = make_dataset(args.seed)
    write_split(TRAIN_FILE, "train", train_x, train_y)
    write_split(TEST_FILE, "test", test_x, test_y)
    print(f"wrote {TRAIN_FILE} ({int(train_y.sum())} cats of {len(train_y)}) and "
          f"{TEST_FILE} ({int(test_y.sum())} cats of {len(test_y)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
