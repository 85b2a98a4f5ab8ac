"""Datasets. Shapes World v1: scenes, their pixels and their captions, from a seed.

`ShapesDataset` needs torch, so it is imported on first use: writing a dataset from the CLI
stays free of torch's start-up time.
"""
from .shapes_captions import Caption, canonical_caption, caption_scene, caption_text
from .shapes_render import render, render_image, save_png
from .shapes_sampler import Example, sample_example, sample_scene
from .shapes_writer import write_shapes_dataset

__all__ = ["Caption", "Example", "ShapesDataset", "canonical_caption", "caption_scene",
           "caption_text", "collate_shapes", "render", "render_image", "sample_example",
           "sample_scene", "save_png", "write_shapes_dataset"]


def __getattr__(name: str):
    if name in ("ShapesDataset", "collate_shapes"):
        from . import shapes_dataset
        return getattr(shapes_dataset, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
