"""A dimension split over two mesh axes reported as one name (the tuple turned into a string)."""
TASK = "sharding.layout_of"
EXPECT = "`spec[0]` has 1 items, expected 2"


def layout_of(x):
    sharding = jax.typeof(x).sharding
    mesh = sharding.mesh
    spec = [[] if e is None else [str(e)] for e in sharding.spec]
    copies = 1
    for name, size in mesh.shape.items():
        copies *= 1 if any(name in names[0] for names in spec if names) else size
    return {"mesh": [[n, int(s)] for n, s in mesh.shape.items()], "spec": spec,
            "shard_shape": [int(v) for v in sharding.shard_shape(jnp.shape(x))], "copies": copies}
