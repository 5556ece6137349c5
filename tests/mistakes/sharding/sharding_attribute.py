"""x.sharding: fine on a concrete array, but a traced array inside jax.jit has no .sharding (ask its type)."""
TASK = "sharding.layout_of"
EXPECT = "The 'sharding' attribute is not available on traced array"


def layout_of(x):
    sharding = x.sharding
    spec = [[] if e is None else [e] if isinstance(e, str) else list(e) for e in sharding.spec]
    spec += [[] for _ in range(x.ndim - len(spec))]
    used = {name for names in spec for name in names}
    copies = 1
    for name, size in sharding.mesh.shape.items():
        copies *= 1 if name in used else size
    return {"mesh": [[n, int(s)] for n, s in sharding.mesh.shape.items()], "spec": spec,
            "shard_shape": list(sharding.shard_shape(x.shape)), "copies": copies}
