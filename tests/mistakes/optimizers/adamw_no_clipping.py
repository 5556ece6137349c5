"""No clipping at all: Adam weighs the large gradients far more than the clipped ones."""
TASK = "optimizers.make_adamw"
EXPECT = "/updates["


def make_adamw(peak_lr, warmup_steps, decay_steps, end_lr, clip_norm, weight_decay):
    schedule = optax.warmup_cosine_decay_schedule(0.0, peak_lr, warmup_steps, decay_steps, end_lr)
    return optax.adamw(schedule, weight_decay=weight_decay, mask=decay_mask)
