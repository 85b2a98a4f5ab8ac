"""The image shape the convolutional generators (DCGAN, VAE) accept: two stride-2 stages."""
from __future__ import annotations


def check_conv_image(image_size: int, channels: int, num_classes: int) -> None:
    """ValueError unless images halve twice to whole sizes, are grey or RGB, classes >= 0."""
    if image_size % 4 or image_size < 8:
        raise ValueError(f"image_size must be a multiple of 4 and >= 8, got {image_size}")
    if channels not in (1, 3) or num_classes < 0:
        raise ValueError("channels must be 1 or 3 and num_classes >= 0")
