"""A VJP of the gradient (reverse over reverse), returning the pullback's tuple instead of its entry."""
TASK = "transforms.hvp"
EXPECT = "expected an array"


def hvp(f, x, v):
    _, pull_back = jax.vjp(jax.grad(f), x)
    return pull_back(v)
