"""The mesh as a {name: size} dict instead of a list of [name, size] pairs."""
TASK = "sharding.layout_of"
EXPECT = "`mesh` is {"


def layout_of(x):
    sharding = jax.typeof(x).sharding
    mesh = sharding.mesh
    spec = [[] if e is None else [e] if isinstance(e, str) else list(e) for e in sharding.spec]
    used = {name for names in spec for name in names}
    copies = 1
    for name, size in mesh.shape.items():
        copies *= 1 if name in used else size
    return {"mesh": dict(mesh.shape), "spec": spec,
            "shard_shape": [int(v) for v in sharding.shard_shape(jnp.shape(x))], "copies": copies}
