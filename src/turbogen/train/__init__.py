"""Training: one loop with callbacks, checkpoints, and the recipes."""
