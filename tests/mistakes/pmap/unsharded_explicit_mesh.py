"""Plain arrays handed to shard_map on an Explicit mesh: in_specs is an assertion there, not a reshard."""
TASK = "pmap.shard_map_sgd_step"
EXPECT = "does not match the specs of the input"


def shard_map_sgd_step(mesh, params, x, y, lr):
    def global_loss(p, xb, yb):
        return lax.pmean(mse_loss(p, xb, yb), AXIS)

    sharded_loss = jax.shard_map(global_loss, mesh=mesh, in_specs=(P(), P(AXIS), P(AXIS)), out_specs=P())
    loss, grads = jax.jit(jax.value_and_grad(sharded_loss))(params, x, y)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
