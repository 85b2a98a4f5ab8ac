"""The bundled photos that restoration trains and is evaluated on, and which is which.

No photo data set can be downloaded here, so the natural photos that scikit-image, scikit-learn
and matplotlib ship inside their wheels are the corpus. Five are held out of every restoration
recipe and used only by `turbogen eval sr|denoise`. motorcycle_right is left out of both sets:
it is nearly the same picture as motorcycle_left (a stereo pair), so it would leak.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import InputError

# name -> (package, file inside the package's data folder)
PHOTOS = {
    "astronaut": ("skimage", "astronaut.png"), "chelsea": ("skimage", "chelsea.png"),
    "coffee": ("skimage", "coffee.png"), "china": ("sklearn", "china.jpg"),
    "grace_hopper": ("matplotlib", "grace_hopper.jpg"),
    "rocket": ("skimage", "rocket.jpg"), "flower": ("sklearn", "flower.jpg"),
    "motorcycle_left": ("skimage", "motorcycle_left.png"),
    "hubble_deep_field": ("skimage", "hubble_deep_field.jpg"), "retina": ("skimage", "retina.jpg"),
    "ihc": ("skimage", "ihc.png"), "brick": ("skimage", "brick.png"),
    "grass": ("skimage", "grass.png"), "gravel": ("skimage", "gravel.png"),
    "camera": ("skimage", "camera.png"), "coins": ("skimage", "coins.png"),
    "moon": ("skimage", "moon.png"), "text": ("skimage", "text.png"),
    "page": ("skimage", "page.png"), "cell": ("skimage", "cell.png"),
}
HELDOUT = ("astronaut", "chelsea", "coffee", "china", "grace_hopper")
TRAIN = tuple(name for name in PHOTOS if name not in HELDOUT)


def photo_path(name: str) -> Path:
    """Where a bundled photo lies on disk (inside its package)."""
    if name not in PHOTOS:
        raise InputError(f"unknown photo {name!r}; known: {', '.join(PHOTOS)}")
    package, file = PHOTOS[name]
    if package == "skimage":
        import skimage
        return Path(skimage.__file__).parent / "data" / file
    if package == "sklearn":
        import sklearn
        return Path(sklearn.__file__).parent / "datasets" / "images" / file
    import matplotlib
    return Path(matplotlib.get_data_path()) / "sample_data" / file


def load_photo(name: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB; grey photos are repeated over the three channels."""
    with Image.open(photo_path(name)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


def load_photos(split: str) -> dict[str, np.ndarray]:
    """The photos of one split: 'train', 'heldout' or 'all'."""
    names = {"train": TRAIN, "heldout": HELDOUT, "all": tuple(PHOTOS)}
    if split not in names:
        raise InputError(f"unknown photo split {split!r}; choose train, heldout or all")
    return {name: load_photo(name) for name in names[split]}
