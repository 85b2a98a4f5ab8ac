"""Shapes World v1: the vocabulary and geometry every part of turbogen agrees on (DESIGN.md).

Boxes are [x0, y0, x1, y1] normalised to 0..1, origin top-left, y downwards.
"""
CANVAS_PX = 64

SHAPES = ("circle", "square", "triangle", "diamond", "star")

COLORS = {
    "red": (220, 40, 40),
    "orange": (245, 140, 30),
    "yellow": (240, 210, 40),
    "green": (40, 170, 60),
    "cyan": (40, 200, 210),
    "blue": (40, 80, 220),
    "purple": (140, 60, 190),
    "pink": (245, 130, 190),
}

BACKGROUNDS = {
    "white": (250, 250, 250),
    "gray": (128, 128, 128),
    "black": (15, 15, 15),
}

# Side of an object's (square) bounding box at 64 px.
SIZES_PX = {"small": 10, "medium": 16, "large": 24}
SIZE_JITTER = 0.10          # a box may differ from its nominal side by this fraction
MAX_OBJECTS = 6
MIN_GAP_PX = 2              # boxes stay at least this far apart

# Absolute places, on box centres (DESIGN.md). "center" is ours: both coordinates in 0.4..0.6.
PLACE_LOW, PLACE_HIGH = 0.4, 0.6
PLACES = (
    "left", "right", "top", "bottom",
    "top left", "top right", "bottom left", "bottom right",
    "center",
)
RELATIONS = ("left of", "right of", "above", "below")


def size_fraction(size: str) -> float:
    """Nominal box side of a size class as a fraction of the canvas."""
    return SIZES_PX[size] / CANVAS_PX


def size_of_side(side: float) -> str | None:
    """Size class whose nominal side is within the jitter of `side` (a fraction), else None."""
    px = side * CANVAS_PX
    for name, nominal in SIZES_PX.items():
        if abs(px - nominal) <= nominal * SIZE_JITTER + 1e-6:
            return name
    return None
