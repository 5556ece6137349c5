"""The block shape as NumPy integers (np.int64), not Python ints."""
TASK = "sharding.layout_of"
EXPECT = "not Python ints"


def layout_of(x):
    sharding = jax.typeof(x).sharding
    mesh = sharding.mesh
    spec = [[] if e is None else [e] if isinstance(e, str) else list(e) for e in sharding.spec]
    used = {name for names in spec for name in names}
    copies = 1
    for name, size in mesh.shape.items():
        copies *= 1 if name in used else size
    return {"mesh": [[n, int(s)] for n, s in mesh.shape.items()], "spec": spec,
            "shard_shape": list(np.array(sharding.shard_shape(jnp.shape(x)))), "copies": copies}
