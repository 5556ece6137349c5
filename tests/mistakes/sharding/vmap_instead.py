"""jax.vmap with the axis name: the same numbers on one device, no shard_map, nothing on the mesh."""
TASK = "sharding.pmap_on_mesh"
EXPECT = "Permutation doesn't match the axis size"


def pmap_on_mesh(f, mesh, in_axes):
    return jax.jit(jax.vmap(f, in_axes=in_axes, axis_name=mesh.axis_names[0]))
