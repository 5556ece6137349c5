"""The whole signal gathered on every device, then sliced: right numbers, every value moved everywhere."""
TASK = "pmap.halo_conv1d"
EXPECT = "uses lax.all_gather"


def halo_conv1d(x_local, kernel):
    signal = lax.all_gather(x_local, AXIS).reshape(-1)
    full = jnp.convolve(signal, kernel, mode="same")
    return lax.dynamic_slice(full, (lax.axis_index(AXIS) * x_local.shape[0],), (x_local.shape[0],))
