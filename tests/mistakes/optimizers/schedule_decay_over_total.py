"""Reading decay_steps as the length of the cosine alone: the decay runs warmup_steps steps too long."""
TASK = "optimizers.warmup_cosine_schedule"
EXPECT = "/eager["


def warmup_cosine_schedule(init_value, peak_value, warmup_steps, decay_steps, end_value):
    def schedule(step):
        step = jnp.asarray(step)
        warmup = init_value + (peak_value - init_value) * step / warmup_steps
        t = jnp.clip(step - warmup_steps, 0, decay_steps)
        cosine = end_value + (peak_value - end_value) * 0.5 * (1 + jnp.cos(jnp.pi * t / decay_steps))
        return jnp.where(step < warmup_steps, warmup, cosine).astype(jnp.float32)

    return schedule
