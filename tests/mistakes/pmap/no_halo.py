"""Halos exchanged but never used: each chunk is convolved on its own, missing the neighbours' values."""
TASK = "pmap.halo_conv1d"
EXPECT = "without the neighbours' values"


def halo_conv1d(x_local, kernel):
    halo, n = kernel.shape[0] // 2, lax.axis_size(AXIS)
    from_left = lax.ppermute(x_local[-halo:], AXIS, [(i, i + 1) for i in range(n - 1)])
    from_right = lax.ppermute(x_local[:halo], AXIS, [(i + 1, i) for i in range(n - 1)])
    padded = jnp.concatenate([from_left, x_local, from_right])
    return jnp.convolve(x_local, kernel, mode="same") + 0 * padded.sum()
