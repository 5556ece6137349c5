"""Positions in the list instead of the devices' own ids."""
TASK = "pmap.device_summary"
EXPECT = "/ids["


def device_summary(devices=None):
    devices = jax.local_devices() if devices is None else devices
    return {"count": len(devices), "platform": devices[0].platform, "ids": list(range(len(devices)))}
