"""Weighting the new value by decay and the old average by 1 - decay."""
TASK = "gotchas.ema"
EXPECT = "`values`"

def ema(xs, decay):
    def step(previous, x):
        current = (1 - decay) * previous + decay * x
        return current, current
    return jnp.concatenate([xs[:1], lax.scan(step, xs[0], xs[1:])[1]])
