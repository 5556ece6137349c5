"""The gradient times v, entry by entry: no second derivative at all."""
TASK = "transforms.hvp"
EXPECT = "differs in"


def hvp(f, x, v):
    return jax.grad(f)(x) * v
