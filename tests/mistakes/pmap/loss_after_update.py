"""The loss reported at the new params instead of at the params the step started from."""
TASK = "pmap.shard_map_sgd_step"
EXPECT = "against the single-device full-batch step"


def shard_map_sgd_step(mesh, params, x, y, lr):
    rows = NamedSharding(mesh, P(AXIS))
    x, y = jax.device_put(x, rows), jax.device_put(y, rows)
    sharded_loss = jax.shard_map(lambda p, xb, yb: lax.pmean(mse_loss(p, xb, yb), AXIS), mesh=mesh,
                                 in_specs=(P(), P(AXIS), P(AXIS)), out_specs=P())
    grads = jax.jit(jax.grad(sharded_loss))(params, x, y)
    new = jax.tree.map(lambda p, g: p - lr * g, params, grads)
    return new, jax.jit(sharded_loss)(new, x, y)
