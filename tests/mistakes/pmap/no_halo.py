"""Each chunk convolved on its own: the values near the chunk boundaries miss the neighbours' data."""
TASK = "pmap.halo_conv1d"
EXPECT = "the halo is missing"


def halo_conv1d(x_local, kernel):
    return jnp.convolve(x_local, kernel, mode="same")
