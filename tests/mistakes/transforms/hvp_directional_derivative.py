"""The JVP of f itself: the directional derivative g @ v, a scalar."""
TASK = "transforms.hvp"
EXPECT = "has shape ()"


def hvp(f, x, v):
    return jax.jvp(f, (x,), (v,))[1]
