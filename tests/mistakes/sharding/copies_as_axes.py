"""copies counted as the number of mesh axes that split nothing, not the product of their sizes."""
TASK = "sharding.layout_of"
EXPECT = "`copies`"


def layout_of(x):
    sharding = jax.typeof(x).sharding
    mesh = sharding.mesh
    spec = [[] if e is None else [e] if isinstance(e, str) else list(e) for e in sharding.spec]
    used = {name for names in spec for name in names}
    copies = max(1, len([name for name in mesh.axis_names if name not in used]))
    return {"mesh": [[n, int(s)] for n, s in mesh.shape.items()], "spec": spec,
            "shard_shape": [int(v) for v in sharding.shard_shape(jnp.shape(x))], "copies": copies}
