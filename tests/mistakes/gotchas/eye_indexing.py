"""Indexing an identity matrix: out-of-range labels are clamped instead of giving zero rows."""
TASK = "gotchas.make_one_hot"
EXPECT = "`few`"

def make_one_hot():
    return jax.jit(lambda labels, num_classes: jnp.eye(num_classes, dtype=jnp.float32)[labels],
                   static_argnames="num_classes")
