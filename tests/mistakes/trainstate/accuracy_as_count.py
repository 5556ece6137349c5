"""The number of correct predictions returned as the accuracy."""
TASK = "trainstate.eval_step"
EXPECT = "the number of correctly classified examples"


def eval_step(state, batch):
    logits = state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, batch["x"], train=False)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean()
    return {"loss": loss, "accuracy": jnp.sum((jnp.argmax(logits, -1) == batch["y"]).astype(jnp.float32))}
