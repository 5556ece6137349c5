"""The single-device step: right numbers, but nothing runs on the mesh."""
TASK = "pmap.shard_map_sgd_step"
EXPECT = "no jax.shard_map over the mesh given ran"


def shard_map_sgd_step(mesh, params, x, y, lr):
    loss, grads = jax.value_and_grad(mse_loss)(params, x, y)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
