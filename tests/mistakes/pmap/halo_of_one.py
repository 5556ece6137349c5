"""A halo of one value whatever the kernel: right only for kernels of length 3."""
TASK = "pmap.halo_conv1d"
EXPECT = "differs in"


def halo_conv1d(x_local, kernel):
    n, pad = lax.axis_size(AXIS), kernel.shape[0] // 2 - 1
    from_left = lax.ppermute(x_local[-1:], AXIS, [(i, i + 1) for i in range(n - 1)])
    from_right = lax.ppermute(x_local[:1], AXIS, [(i + 1, i) for i in range(n - 1)])
    padded = jnp.concatenate([jnp.zeros(pad), from_left, x_local, from_right, jnp.zeros(pad)])
    return jnp.convolve(padded, kernel, mode="valid")
