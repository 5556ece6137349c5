"""Scaling in place: the reshape is a view of the caller's array, which gets divided too."""
TASK = "backprop.prepare_digits"
EXPECT = 'was changed'


def prepare_digits(images, targets):
    flat = images.reshape(images.shape[0], 64)
    if flat.dtype.kind == "f":
        flat /= 16.0
    else:
        flat = flat / 16.0
    return jnp.asarray(flat, jnp.float32), jnp.asarray(targets, jnp.int32)
