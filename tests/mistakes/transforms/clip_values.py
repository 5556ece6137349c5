"""Clipping the values instead of the gradient."""
TASK = "transforms.clip_gradient"
EXPECT = "differs in"


def clip_gradient(x, max_norm):
    return jnp.clip(x, -max_norm, max_norm)
