"""Integer rows instead of float32."""
TASK = "gotchas.make_one_hot"
EXPECT = "dtype int32, expected float32"

def make_one_hot():
    return jax.jit(lambda labels, num_classes: (labels[:, None] == jnp.arange(num_classes)).astype(jnp.int32),
                   static_argnames="num_classes")
