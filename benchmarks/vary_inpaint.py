"""How well `vary` keeps content and `inpaint` repairs Shapes World damage, on the scenes of
the dev edit suite.

    PYTHONPATH=src python benchmarks/vary_inpaint.py [--variations 4] [--threads 1]

vary: each scene (drawn by the generator, verified) gets N variations; reported: the share
that keep the content by the verifier (same objects by shape/colour/size, same background),
and how far objects moved (mean centre shift of the nearest same-look object, in canvas
fractions).
inpaint: each scene gets a random rectangle (8-20 px a side) over one of its objects set to
black (centred within half a side of the object's centre); repaired with the plan method and with biharmonic; reported: the share whose
verifier reading (objects by look, background) matches the undamaged scene's, and the
PSNR inside the hole against the undamaged image.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from turbogen.eval.edit_eval import scene_image
from turbogen.eval.edit_suite import load_edit_suite
from turbogen.pipelines.edit import Editor
from turbogen.pipelines.inpaint import inpaint_biharmonic, inpaint_plan
from turbogen.pipelines.vary import vary


def looks(plan):
    return sorted((o.shape, o.color, o.size) for o in plan.objects), plan.background


def psnr(a, b, mask):
    err = ((a[mask].astype(np.float64) - b[mask]) ** 2).mean()
    return float(10 * np.log10(255 ** 2 / max(err, 1e-9)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variations", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--holes", type=int, default=3, help="damaged copies per scene")
    parser.add_argument("--skip-vary", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    editor = Editor.load()
    scenes = {r["scene"]: r for r in load_edit_suite("dev")}
    rng = np.random.default_rng(0)
    kept, shifts, vary_s = [], [], []
    fixed = {"plan": [], "biharmonic": [], "plan_part_visible": [],
             "biharmonic_part_visible": []}
    psnrs = {"plan": [], "biharmonic": []}
    plan_s = []
    for record in scenes.values():
        image, _ = scene_image(editor, record)
        source = editor.verifier.read(image).plan
        t0 = time.perf_counter()
        result = vary(editor.pipe, editor.verifier, image, args.variations, seed=1, tries=3) \
            if not args.skip_vary else None
        vary_s.append((time.perf_counter() - t0) / args.variations)
        kept += [r.accepted for r in result.reports] if result else []
        for out in result.images if result else []:
            read = editor.verifier.read(out).plan
            for o in source.objects:
                same = [p for p in read.objects if (p.shape, p.color) == (o.shape, o.color)]
                if same:
                    shifts.append(min(np.hypot(p.center[0] - o.center[0],
                                               p.center[1] - o.center[1]) for p in same))
        for _ in range(args.holes):
            _repair_one(editor, image, source, rng, fixed, psnrs, plan_s)
    print(json.dumps({
        "scenes": len(scenes), "variations_per_scene": args.variations,
        "vary_content_kept": float(np.mean(kept)) if kept else None,
        "vary_mean_centre_shift": float(np.mean(shifts)) if shifts else None,
        "vary_seconds_per_image": float(np.mean(vary_s)),
        "holes": len(plan_s), "holes_leaving_part_visible": len(fixed["plan_part_visible"]),
        "inpaint_reading_restored": {m: float(np.mean(v)) for m, v in fixed.items()},
        "inpaint_psnr_in_hole_db": {m: float(np.mean(v)) for m, v in psnrs.items()},
        "inpaint_plan_seconds": float(np.mean(plan_s)), "threads": args.threads}, indent=1))


def _repair_one(editor, image, source, rng, fixed, psnrs, plan_s) -> None:
    """Damage a rectangle over one object, repair it both ways, score both."""
    obj = source.objects[rng.integers(len(source.objects))]
    side = (obj.box[2] - obj.box[0]) * 64
    cx, cy = (int(v * 64 + rng.uniform(-side / 2, side / 2)) for v in obj.center)
    w, h = rng.integers(8, 21, size=2)
    mask = np.zeros((64, 64), dtype=bool)
    mask[max(cy - h // 2, 0):max(cy + h // 2, 0), max(cx - w // 2, 0):max(cx + w // 2, 0)] = True
    damaged = image.copy()
    damaged[mask] = 0
    t0 = time.perf_counter()
    repaired = {"plan": inpaint_plan(editor.pipe, editor.verifier, damaged, mask)[0]}
    plan_s.append(time.perf_counter() - t0)
    repaired["biharmonic"] = inpaint_biharmonic(damaged, mask)
    x0, y0, x1, y1 = (int(round(v * 64)) for v in obj.box)
    hidden = mask[y0:y1, x0:x1].mean() >= 0.95      # nothing of the object is left to read
    for method, out in repaired.items():
        fixed[method].append(looks(editor.verifier.read(out).plan) == looks(source))
        psnrs[method].append(psnr(out, image, mask))
        if not hidden:
            fixed[method + "_part_visible"].append(fixed[method][-1])


if __name__ == "__main__":
    main()
