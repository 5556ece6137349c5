"""Returning optax's own Lion direction instead of writing it."""
TASK = "optimizers.scale_by_lion"
EXPECT = "ForbiddenCall"


def scale_by_lion(b1, b2):
    return optax.scale_by_lion(b1, b2)
