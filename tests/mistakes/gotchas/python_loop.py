"""A Python loop over time steps: the compiled program grows with T."""
TASK = "gotchas.ema"
EXPECT = "grows with the number of time steps"


def ema(xs, decay):
    out = [xs[0]]
    for x in xs[1:]:
        out.append(decay * out[-1] + (1 - decay) * x)
    return jnp.stack(out)
