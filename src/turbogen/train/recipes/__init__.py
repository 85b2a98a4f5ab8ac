"""Recipes that reproduce every bundled checkpoint."""
