"""A Python if on the step: fine for Python ints, a TracerBoolConversionError under jit and vmap."""
TASK = "optimizers.warmup_cosine_schedule"
EXPECT = "TracerBoolConversionError"


def warmup_cosine_schedule(init_value, peak_value, warmup_steps, decay_steps, end_value):
    def schedule(step):
        step = jnp.asarray(step)
        if step < warmup_steps:
            return (init_value + (peak_value - init_value) * step / warmup_steps).astype(jnp.float32)
        t = jnp.minimum(step - warmup_steps, decay_steps - warmup_steps)
        cosine = end_value + (peak_value - end_value) * 0.5 * (1 + jnp.cos(jnp.pi * t / (decay_steps - warmup_steps)))
        return cosine.astype(jnp.float32)

    return schedule
