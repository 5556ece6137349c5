"""A warmup over warmup_steps + 1 points: the peak is reached one step late, the cosine starts one step late."""
TASK = "optimizers.warmup_cosine_schedule"
EXPECT = "/eager["


def warmup_cosine_schedule(init_value, peak_value, warmup_steps, decay_steps, end_value):
    def schedule(step):
        step = jnp.asarray(step)
        warmup = init_value + (peak_value - init_value) * step / (warmup_steps + 1)
        t = jnp.clip(step - warmup_steps - 1, 0, decay_steps - warmup_steps)
        cosine = end_value + (peak_value - end_value) * 0.5 * (1 + jnp.cos(jnp.pi * t / (decay_steps - warmup_steps)))
        return jnp.where(step <= warmup_steps, warmup, cosine).astype(jnp.float32)

    return schedule
