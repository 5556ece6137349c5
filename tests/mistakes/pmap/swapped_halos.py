"""The halos sent the wrong way: each side is padded with the values of the wrong neighbour."""
TASK = "pmap.halo_conv1d"
EXPECT = "halos from the wrong neighbours"


def halo_conv1d(x_local, kernel):
    halo, n = kernel.shape[0] // 2, lax.axis_size(AXIS)
    from_right = lax.ppermute(x_local[-halo:], AXIS, [(i + 1, i) for i in range(n - 1)])
    from_left = lax.ppermute(x_local[:halo], AXIS, [(i, i + 1) for i in range(n - 1)])
    return jnp.convolve(jnp.concatenate([from_right, x_local, from_left]), kernel, mode="valid")
