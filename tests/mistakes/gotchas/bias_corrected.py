"""Adam-style bias correction: dividing by 1 - decay ** t changes every average."""
TASK = "gotchas.ema"
EXPECT = "`values`"

def ema(xs, decay):
    def step(carry, x):
        previous, t = carry
        current = decay * previous + (1 - decay) * x
        return (current, t + 1), current / (1 - decay ** (t + 1))
    return lax.scan(step, (jnp.zeros_like(xs[0]), 0.0), xs)[1]
