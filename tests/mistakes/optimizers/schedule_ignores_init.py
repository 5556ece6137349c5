"""A warmup that always starts from 0.0, whatever init_value says."""
TASK = "optimizers.warmup_cosine_schedule"
EXPECT = "`shortest_decay/eager["


def warmup_cosine_schedule(init_value, peak_value, warmup_steps, decay_steps, end_value):
    def schedule(step):
        step = jnp.asarray(step)
        warmup = peak_value * step / warmup_steps
        t = jnp.clip(step - warmup_steps, 0, decay_steps - warmup_steps)
        cosine = end_value + (peak_value - end_value) * 0.5 * (1 + jnp.cos(jnp.pi * t / (decay_steps - warmup_steps)))
        return jnp.where(step < warmup_steps, warmup, cosine).astype(jnp.float32)

    return schedule
