"""XLA_FLAGS set after jax already ran: the flag is silently ignored and jax sees one CPU device.

This process was started with 4 simulated devices, so the mistake is reproduced for real in a child
process that runs a jax operation first and sets the flag afterwards, as a notebook does when the
`os.environ[...]` cell comes after `import jax` and some computation.
"""
TASK = "pmap.device_summary"
EXPECT = "only 1 device visible: set XLA_FLAGS before importing jax"

import json as _json
import subprocess as _subprocess
import sys as _sys

_LATE = """
import json, os
import jax, jax.numpy as jnp
jnp.ones(1).block_until_ready()  # the backend starts here, with the default single CPU device
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"  # too late: silently ignored
devices = jax.local_devices()
print(json.dumps({"count": jax.local_device_count(), "platform": devices[0].platform,
                  "ids": [d.id for d in devices]}))
"""


def device_summary():
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    env["JAX_PLATFORMS"] = "cpu"
    done = _subprocess.run([_sys.executable, "-c", _LATE], env=env, capture_output=True, text=True, timeout=120)
    return _json.loads(done.stdout.strip().splitlines()[-1])
