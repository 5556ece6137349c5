"""Permutations written out for 4 devices: wrong (or refused) on any other number of devices."""
TASK = "pmap.halo_conv1d"
EXPECT = "IndexError"


def halo_conv1d(x_local, kernel):
    halo = kernel.shape[0] // 2
    from_left = lax.ppermute(x_local[-halo:], AXIS, [(0, 1), (1, 2), (2, 3)])
    from_right = lax.ppermute(x_local[:halo], AXIS, [(1, 0), (2, 1), (3, 2)])
    return jnp.convolve(jnp.concatenate([from_left, x_local, from_right]), kernel, mode="valid")
