"""Returning the plain Python function instead of its jitted version."""
TASK = "gotchas.make_one_hot"
EXPECT = "returned a plain function"

def make_one_hot():
    def encode(labels, num_classes):
        return (labels[:, None] == jnp.arange(num_classes)[None, :]).astype(jnp.float32)
    return encode
