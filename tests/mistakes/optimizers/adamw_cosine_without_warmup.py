"""A cosine decay from the peak over decay_steps, forgetting the warmup."""
TASK = "optimizers.make_adamw"
EXPECT = "/updates["


def make_adamw(peak_lr, warmup_steps, decay_steps, end_lr, clip_norm, weight_decay):
    schedule = optax.cosine_decay_schedule(peak_lr, decay_steps, alpha=end_lr / peak_lr)
    return optax.chain(optax.clip_by_global_norm(clip_norm),
                       optax.adamw(schedule, weight_decay=weight_decay, mask=decay_mask))
