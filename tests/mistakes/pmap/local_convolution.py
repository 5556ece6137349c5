"""No collective at all: each device convolves its own chunk with zero padding."""
TASK = "pmap.halo_conv1d"
EXPECT = "never calls lax.ppermute"


def halo_conv1d(x_local, kernel):
    return jnp.convolve(x_local, kernel, mode="same")
