"""jax.pmap over the mesh's devices: right numbers, but no shard_map over the mesh given."""
TASK = "sharding.pmap_on_mesh"
EXPECT = "no jax.shard_map over the mesh given ran"


def pmap_on_mesh(f, mesh, in_axes):
    return jax.pmap(f, axis_name=mesh.axis_names[0], in_axes=in_axes, devices=list(mesh.devices.flat))
