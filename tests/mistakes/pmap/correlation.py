"""jnp.correlate: the kernel is not flipped, so this is a correlation, not a convolution."""
TASK = "pmap.halo_conv1d"
EXPECT = "a correlation, not a convolution"


def halo_conv1d(x_local, kernel):
    halo, n = kernel.shape[0] // 2, lax.axis_size(AXIS)
    from_left = lax.ppermute(x_local[-halo:], AXIS, [(i, i + 1) for i in range(n - 1)])
    from_right = lax.ppermute(x_local[:halo], AXIS, [(i + 1, i) for i in range(n - 1)])
    return jnp.correlate(jnp.concatenate([from_left, x_local, from_right]), kernel, mode="valid")
