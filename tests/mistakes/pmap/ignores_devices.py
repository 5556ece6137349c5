"""The devices argument ignored: every local device is described, whatever list was given."""
TASK = "pmap.device_summary"
EXPECT = "`subset/count`"


def device_summary(devices=None):
    devices = jax.local_devices()
    return {"count": jax.local_device_count(), "platform": devices[0].platform, "ids": [d.id for d in devices]}
