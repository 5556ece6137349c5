"""jax.pmap over the mesh's devices instead of shard_map over the mesh."""
TASK = "pmap.shard_map_sgd_step"
EXPECT = "no jax.shard_map over the mesh given ran"


def shard_map_sgd_step(mesh, params, x, y, lr):
    n = mesh.devices.size

    def local(p, xb, yb):
        loss, grads = jax.value_and_grad(mse_loss)(p, xb, yb)
        return lax.pmean(grads, AXIS), lax.pmean(loss, AXIS)

    grads, loss = jax.pmap(local, axis_name=AXIS, in_axes=(None, 0, 0), devices=list(mesh.devices.flat))(
        params, x.reshape(n, -1, x.shape[-1]), y.reshape(n, -1))
    grads, loss = jax.tree.map(lambda g: g[0], grads), loss[0]
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
