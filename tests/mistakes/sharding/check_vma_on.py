"""shard_map with its default check_vma=True: the gradient w.r.t. an unmapped (P()) argument is summed over devices."""
TASK = "sharding.pmap_on_mesh"
EXPECT = "shard_map with check_vma=True sums the gradient"


def pmap_on_mesh(f, mesh, in_axes):
    (axis,) = mesh.axis_names
    specs = tuple(P() if a is None else P(axis) for a in in_axes)

    def per_device(*blocks):
        args = [b if a is None else jax.tree.map(lambda leaf: leaf[0], b) for b, a in zip(blocks, in_axes)]
        return jax.tree.map(lambda leaf: leaf[None], f(*args))

    mapped = jax.jit(jax.shard_map(per_device, mesh=mesh, in_specs=specs, out_specs=P(axis)))
    return lambda *args: mapped(*[jax.device_put(a, NamedSharding(mesh, s)) for a, s in zip(args, specs)])
