"""jax.jit without static num_classes: arange gets a tracer."""
TASK = "gotchas.make_one_hot"
EXPECT = "ConcretizationTypeError"

def make_one_hot():
    return jax.jit(lambda labels, num_classes: (labels[:, None] == jnp.arange(num_classes)[None, :]).astype(jnp.float32))
