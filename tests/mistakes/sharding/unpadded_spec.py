"""The PartitionSpec as it was written: shorter than the rank when trailing dimensions were left out."""
TASK = "sharding.layout_of"
EXPECT = "`spec` has 1 items, expected 2"


def layout_of(x):
    try:
        sharding = x.sharding  # concrete arrays: the spec as it was written
    except AttributeError:
        sharding = jax.typeof(x).sharding
    spec = [[] if e is None else [e] if isinstance(e, str) else list(e) for e in sharding.spec]
    used = {name for names in spec for name in names}
    copies = 1
    for name, size in sharding.mesh.shape.items():
        copies *= 1 if name in used else size
    return {"mesh": [[n, int(s)] for n, s in sharding.mesh.shape.items()], "spec": spec,
            "shard_shape": [int(v) for v in sharding.shard_shape(jnp.shape(x))], "copies": copies}
