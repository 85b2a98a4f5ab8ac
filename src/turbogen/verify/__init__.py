"""Reading Shapes World images back: segmentation, geometry, crops, faithfulness checks.

The learned part (the shape classifier) is models/verifier.py; pipelines/caption.py puts the
two together: `Verifier.load().read(image)` -> ScenePlan and caption.
"""
from .faithfulness import image_fact_failures
from .geometry import object_box, size_class
from .segment import Region, Segmentation, SegmentConfig, segment

__all__ = ["Region", "SegmentConfig", "Segmentation", "image_fact_failures", "object_box",
           "segment", "size_class"]
