"""The peak learning rate from the first update on: no warmup, no decay."""
TASK = "optimizers.make_adamw"
EXPECT = "/updates["


def make_adamw(peak_lr, warmup_steps, decay_steps, end_lr, clip_norm, weight_decay):
    return optax.chain(optax.clip_by_global_norm(clip_norm),
                       optax.adamw(peak_lr, weight_decay=weight_decay, mask=decay_mask))
