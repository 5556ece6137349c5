"""Evaluation with train=True: batch statistics of the evaluation batch and dropout masks from state.key."""
TASK = "trainstate.eval_step"
EXPECT = "changed when only state.key changed"


def eval_step(state, batch):
    logits, _ = state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, batch["x"], train=True,
                               rngs={"dropout": state.key}, mutable=["batch_stats"])
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean()
    return {"loss": loss, "accuracy": jnp.mean((jnp.argmax(logits, -1) == batch["y"]).astype(jnp.float32))}
