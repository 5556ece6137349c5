"""Returning optax's own schedule instead of writing it."""
TASK = "optimizers.warmup_cosine_schedule"
EXPECT = "ForbiddenCall"


def warmup_cosine_schedule(init_value, peak_value, warmup_steps, decay_steps, end_value):
    return optax.warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps, decay_steps, end_value)
