"""Evaluation with train=True: batch statistics of the evaluation batch and random dropout masks."""
TASK = "trainstate.eval_step"
EXPECT = "train=True at evaluation"


def eval_step(state, batch):
    logits, _ = state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, batch["x"], train=True,
                               rngs={"dropout": state.key}, mutable=["batch_stats"])
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean()
    return {"loss": loss, "accuracy": jnp.mean((jnp.argmax(logits, -1) == batch["y"]).astype(jnp.float32))}
