"""A cyclic permutation: the first and last devices receive a halo from the other end of the signal."""
TASK = "pmap.halo_conv1d"
EXPECT = "the signal wrapped around"


def halo_conv1d(x_local, kernel):
    halo, n = kernel.shape[0] // 2, lax.axis_size(AXIS)
    from_left = lax.ppermute(x_local[-halo:], AXIS, [(i, (i + 1) % n) for i in range(n)])
    from_right = lax.ppermute(x_local[:halo], AXIS, [(i, (i - 1) % n) for i in range(n)])
    return jnp.convolve(jnp.concatenate([from_left, x_local, from_right]), kernel, mode="valid")
