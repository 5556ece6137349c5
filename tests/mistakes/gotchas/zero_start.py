"""Starting the average from zero instead of xs[0]."""
TASK = "gotchas.ema"
EXPECT = "`values`"

def ema(xs, decay):
    def step(previous, x):
        current = decay * previous + (1 - decay) * x
        return current, current
    return lax.scan(step, jnp.zeros_like(xs[0]), xs)[1]
