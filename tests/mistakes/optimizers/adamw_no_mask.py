"""AdamW without the mask: biases, scales and list entries are decayed too."""
TASK = "optimizers.make_adamw"
EXPECT = "/updates["


def make_adamw(peak_lr, warmup_steps, decay_steps, end_lr, clip_norm, weight_decay):
    schedule = optax.warmup_cosine_decay_schedule(0.0, peak_lr, warmup_steps, decay_steps, end_lr)
    return optax.chain(optax.clip_by_global_norm(clip_norm), optax.adamw(schedule, weight_decay=weight_decay))
