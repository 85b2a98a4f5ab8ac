"""Acceleration: take a built model, return a faster one (and measure what it costs)."""
