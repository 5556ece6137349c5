"""f handed shard_map's (1, ...) blocks as they are, and its outputs stacked on yet another axis."""
TASK = "sharding.pmap_on_mesh"
EXPECT = "has shape"


def pmap_on_mesh(f, mesh, in_axes):
    (axis,) = mesh.axis_names
    specs = tuple(P() if a is None else P(axis) for a in in_axes)
    per_device = lambda *blocks: jax.tree.map(lambda leaf: leaf[None], f(*blocks))  # noqa: E731
    mapped = jax.jit(jax.shard_map(per_device, mesh=mesh, in_specs=specs, out_specs=P(axis), check_vma=False))
    return lambda *args: mapped(*[jax.device_put(a, NamedSharding(mesh, s)) for a, s in zip(args, specs)])
