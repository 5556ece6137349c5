"""jax.value_and_grad of the shard_mapped loss called eagerly: on an Explicit mesh it needs jit (or set_mesh)."""
TASK = "pmap.shard_map_sgd_step"
EXPECT = "Length of device assignment"


def shard_map_sgd_step(mesh, params, x, y, lr):
    rows = NamedSharding(mesh, P(AXIS))
    x, y = jax.device_put(x, rows), jax.device_put(y, rows)
    sharded_loss = jax.shard_map(lambda p, xb, yb: lax.pmean(mse_loss(p, xb, yb), AXIS), mesh=mesh,
                                 in_specs=(P(), P(AXIS), P(AXIS)), out_specs=P())
    loss, grads = jax.value_and_grad(sharded_loss)(params, x, y)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
