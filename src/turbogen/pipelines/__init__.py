"""Pipelines: the only place that combines plan, conditioning, models and samplers."""
