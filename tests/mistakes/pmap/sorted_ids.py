"""The ids sorted instead of kept in the order of the list."""
TASK = "pmap.device_summary"
EXPECT = "/ids["


def device_summary(devices=None):
    devices = jax.local_devices() if devices is None else devices
    return {"count": len(devices), "platform": devices[0].platform, "ids": sorted(d.id for d in devices)}
