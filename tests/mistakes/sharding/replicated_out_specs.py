"""out_specs=P(): one device's result comes back instead of every device's, stacked."""
TASK = "sharding.pmap_on_mesh"
EXPECT = "has shape"


def pmap_on_mesh(f, mesh, in_axes):
    (axis,) = mesh.axis_names
    specs = tuple(P() if a is None else P(axis) for a in in_axes)

    def per_device(*blocks):
        return f(*[b if a is None else jax.tree.map(lambda leaf: leaf[0], b) for b, a in zip(blocks, in_axes)])

    mapped = jax.jit(jax.shard_map(per_device, mesh=mesh, in_specs=specs, out_specs=P(), check_vma=False))
    return lambda *args: mapped(*[jax.device_put(a, NamedSharding(mesh, s)) for a, s in zip(args, specs)])
