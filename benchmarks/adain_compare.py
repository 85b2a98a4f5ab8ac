"""AdaIN against Gatys and the per-style fast networks, on held-out photos x held-out styles.

Every method paints the same held-out photos (data/photos.HELDOUT, never trained on) in the
three bundled styles (never in AdaIN's training set; each has its own fast network). Each
output is scored with the losses the repo trains on, with the same VGG16:
- `style_gram` / `content`: models/style.StyleLoss as `turbogen train style` weighs it (Gram
  matrices of relu1_2/2_2/3_3, content relu2_2, each relative to its target's mean square):
  the loss Gatys optimises and the fast networks are trained on;
- `style_meanstd`: models/adain's style term (channel mean and std at relu1_1/2_1/3_1).
AdaIN also paints `waves` images (a style family it never saw). Outputs are cached as PNGs
in --cache, so the slow Gatys runs happen once; rows are merged into --json by method.

    python benchmarks/adain_compare.py --methods gatys,fast --json docs/adain_compare.json
    python benchmarks/adain_compare.py --methods adain --model runs/adain --grid docs/images
    python benchmarks/adain_compare.py --methods adain --model runs/adain --alpha 0.6
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from stylize_grid import label     # benchmarks/ is on sys.path when run as a script
from turbogen.data.adain_styles import draw_style
from turbogen.data.photos import HELDOUT
from turbogen.data.style_images import STYLE_IMAGES, style_image
from turbogen.io_atomic import atomic_write_bytes, atomic_write_text
from turbogen.models.adain import AdaINConfig, mean_std
from turbogen.models.style import StyleLoss
from turbogen.models.vgg import load_vgg16
from turbogen.pipelines.stylize import fast, gatys, load_style_net, resize, to_tensor
from turbogen.train.callbacks import png_bytes
from turbogen.train.style_recipe import StyleRecipe, heldout_crops

WAVES = {f"waves-{i}": i for i in range(2)}


def styles(size: int) -> dict[str, np.ndarray]:
    out = {name: style_image(name, 256) for name in STYLE_IMAGES}
    out.update({name: draw_style("waves", seed, 256) for name, seed in WAVES.items()})
    return {k: resize(v, (size, size)) for k, v in out.items()}


def paint(method: str, photo: np.ndarray, style: np.ndarray, name: str, args) -> np.ndarray:
    if method == "gatys":
        return gatys(photo, style, args.gatys_steps)
    if method == "fast":
        return fast(photo, load_style_net(name)[0])
    from turbogen.pipelines.adain import load_adain, stylize_adain
    return stylize_adain(load_adain(args.model)[0], photo, style, args.alpha)


def score(images: dict, photo: np.ndarray, style: np.ndarray) -> dict[str, float]:
    """The repo's two style losses and the content loss of one output."""
    weights = StyleRecipe().weights()
    loss = StyleLoss(images["vgg"], to_tensor(style, torch.device("cpu")), weights)
    out = to_tensor(images["out"], torch.device("cpu"))
    with torch.no_grad():
        _, parts = loss(out, loss.content_target(to_tensor(photo, torch.device("cpu"))))
        layers = AdaINConfig().style_layers()
        fo, fs = images["enc"](out, layers), images["enc"](to_tensor(style, out.device), layers)
        ms = 0.0
        for name in layers:
            (om, osd), (sm, ssd) = mean_std(fo[name]), mean_std(fs[name])
            ms += float(((om - sm) ** 2).mean() / (sm ** 2).mean()
                        + ((osd - ssd) ** 2).mean() / (ssd ** 2).mean())
    return {"style_gram": parts["style"], "content": parts["content"],
            "style_meanstd": ms / len(layers)}


def run(args) -> list[dict]:
    photos = dict(zip(HELDOUT, heldout_crops(args.size)))
    photos = dict(list(photos.items())[:args.photos])
    vgg = load_vgg16(StyleRecipe().weights().layers())
    enc = load_vgg16(AdaINConfig().style_layers())
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for method in args.methods.split(","):
        names = list(STYLE_IMAGES) + (list(WAVES) if method == "adain" else [])
        for style_name, style in ((n, styles(args.size)[n]) for n in names):
            for photo_name, photo in photos.items():
                t0 = time.perf_counter()
                out = paint(method, photo, style, style_name, args)
                seconds = time.perf_counter() - t0
                shown = method if method != "adain" or args.alpha == 1 else \
                    f"adain alpha {args.alpha:g}"
                atomic_write_bytes(cache / f"{shown}_{photo_name}_{style_name}.png",
                                   png_bytes(out))
                row = {"method": shown, "photo": photo_name, "style": style_name,
                       "seconds": round(seconds, 2),
                       **score({"vgg": vgg, "enc": enc, "out": out}, photo, style)}
                print(json.dumps(row), flush=True)
                rows.append(row)
    return rows


def summarise(rows: list[dict]) -> list[dict]:
    """Median over photos per (method, style set): seen-by-fast styles and waves apart."""
    out = []
    for method in dict.fromkeys(r["method"] for r in rows):
        for group, keep in (("bundled styles", STYLE_IMAGES), ("waves (unseen family)", WAVES)):
            sel = [r for r in rows if r["method"] == method and r["style"] in keep]
            if sel:
                out.append({"method": method, "styles": group, "n": len(sel), **{
                    k: round(statistics.median(r[k] for r in sel), 4)
                    for k in ("style_gram", "content", "style_meanstd", "seconds")}})
    return out


def grid(cache: Path, folder: Path, size: int, n_photos: int) -> None:
    """adain_grid.png: photos x all styles (AdaIN); adain_vs.png: one photo, methods x styles."""
    from turbogen.pipelines.stylize import resize as fit

    def load(name: str) -> np.ndarray:
        path = cache / f"{name}.png"
        return np.asarray(Image.open(path)) if path.is_file() else np.full((size, size, 3), 255,
                                                                          np.uint8)
    all_styles = styles(size)
    blank = np.full((size, size, 3), 255, np.uint8)
    photos = dict(list(zip(HELDOUT, heldout_crops(size)))[:n_photos])
    header = [blank] + [label(fit(s, (size, size)), n) for n, s in all_styles.items()]
    rows = [header] + [[label(p, n)] + [load(f"adain_{n}_{s}") for s in all_styles]
                       for n, p in photos.items()]
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / "adain_grid.png", png_bytes(
        np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)))
    name, photo = list(photos.items())[1]
    rows = [[blank] + [label(fit(all_styles[s], (size, size)), s) for s in STYLE_IMAGES]]
    rows += [[label(photo, m)] + [load(f"{m}_{name}_{s}") for s in STYLE_IMAGES]
             for m in ("gatys", "fast", "adain")]
    atomic_write_bytes(folder / "adain_vs.png", png_bytes(
        np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--methods", default="gatys,fast,adain")
    parser.add_argument("--model", default="adain", help="AdaIN: bundled name or folder")
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--gatys-steps", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cache", default="runs/adain_compare")
    parser.add_argument("--json", default="docs/adain_compare.json")
    parser.add_argument("--grid", default=None, metavar="DIR", help="also write the grids")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = run(args) if args.methods else []
    path = Path(args.json)
    old = json.loads(path.read_text())["rows"] if path.is_file() else []
    methods = {r["method"] for r in rows}
    rows = [r for r in old if r["method"] not in methods] + rows
    result = {"size": args.size, "gatys_steps": args.gatys_steps,
              "rows": rows, "summary": summarise(rows)}
    atomic_write_text(path, json.dumps(result, indent=1) + "\n")
    for row in result["summary"]:
        print(row)
    if args.grid:
        grid(Path(args.cache), Path(args.grid), args.size, args.photos)


if __name__ == "__main__":
    main()
