"""A split dimension divided by the number of devices of the whole mesh, not by the sizes of its own axes."""
TASK = "sharding.layout_of"
EXPECT = "`shard_shape"


def layout_of(x):
    sharding = jax.typeof(x).sharding
    mesh = sharding.mesh
    spec = [[] if e is None else [e] if isinstance(e, str) else list(e) for e in sharding.spec]
    used = {name for names in spec for name in names}
    copies = 1
    for name, size in mesh.shape.items():
        copies *= 1 if name in used else size
    devices = int(np.prod(list(mesh.shape.values())))
    block = [dim // devices if names else dim for dim, names in zip(jnp.shape(x), spec)]
    return {"mesh": [[n, int(s)] for n, s in mesh.shape.items()], "spec": spec, "shard_shape": block,
            "copies": copies}
