"""The pmap idiom pmean(grad(loss)) inside shard_map: the gradient w.r.t. P() params is already summed."""
TASK = "pmap.shard_map_sgd_step"
EXPECT = "already a sum"


def shard_map_sgd_step(mesh, params, x, y, lr):
    rows = NamedSharding(mesh, P(AXIS))
    x, y = jax.device_put(x, rows), jax.device_put(y, rows)

    def local_step(p, xb, yb):
        loss, grads = jax.value_and_grad(mse_loss)(p, xb, yb)
        return lax.pmean(grads, AXIS), lax.pmean(loss, AXIS)

    grads, loss = jax.jit(jax.shard_map(local_step, mesh=mesh, in_specs=(P(), P(AXIS), P(AXIS)),
                                        out_specs=(P(), P())))(params, x, y)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
