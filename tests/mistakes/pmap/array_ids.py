"""The ids as a NumPy array (not a list of Python ints)."""
TASK = "pmap.device_summary"
EXPECT = "`default/ids`"


def device_summary(devices=None):
    devices = jax.local_devices() if devices is None else devices
    ids = np.array([d.id for d in devices])
    return {"count": ids.size, "platform": devices[0].platform, "ids": ids}
