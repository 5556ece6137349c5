"""The evaluation loss summed over the batch instead of averaged."""
TASK = "trainstate.eval_step"
EXPECT = "the sum of the losses of its examples"


def eval_step(state, batch):
    logits = state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, batch["x"], train=False)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).sum()
    return {"loss": loss, "accuracy": jnp.mean((jnp.argmax(logits, -1) == batch["y"]).astype(jnp.float32))}
