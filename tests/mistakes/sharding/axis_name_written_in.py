"""The axis name "batch" written in, whatever the mesh calls its axis."""
TASK = "sharding.pmap_on_mesh"
EXPECT = "batch"


def pmap_on_mesh(f, mesh, in_axes):
    specs = tuple(P() if a is None else P("batch") for a in in_axes)

    def per_device(*blocks):
        args = [b if a is None else jax.tree.map(lambda leaf: leaf[0], b) for b, a in zip(blocks, in_axes)]
        return jax.tree.map(lambda leaf: leaf[None], f(*args))

    mapped = jax.jit(jax.shard_map(per_device, mesh=mesh, in_specs=specs, out_specs=P("batch"), check_vma=False))
    return lambda *args: mapped(*[jax.device_put(a, NamedSharding(mesh, s)) for a, s in zip(args, specs)])
