"""The metrics are computed with the updated params instead of this step's train-mode logits."""
TASK = "trainstate.train_step"
EXPECT = "the metrics returned"


def train_step(state, batch):
    dropout_key = jax.random.fold_in(state.key, state.step)

    def loss_fn(params):
        logits, updates = state.apply_fn({"params": params, "batch_stats": state.batch_stats}, batch["x"],
                                         train=True, rngs={"dropout": dropout_key}, mutable=["batch_stats"])
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean()
        return loss, (logits, updates["batch_stats"])

    grads, (_, stats) = jax.grad(loss_fn, has_aux=True)(state.params)
    new_state = state.apply_gradients(grads=grads, batch_stats=stats)
    loss, (logits, _) = loss_fn(new_state.params)
    return new_state, {"loss": loss, "accuracy": jnp.mean((jnp.argmax(logits, -1) == batch["y"]).astype(jnp.float32))}
