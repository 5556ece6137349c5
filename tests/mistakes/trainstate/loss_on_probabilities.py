"""Softmax applied before the cross-entropy, which applies it again."""
TASK = "trainstate.eval_step"
EXPECT = "eval_step(state, batch) on a state"


def eval_step(state, batch):
    logits = state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, batch["x"], train=False)
    probs = jax.nn.softmax(logits)
    loss = optax.softmax_cross_entropy_with_integer_labels(probs, batch["y"]).mean()
    return {"loss": loss, "accuracy": jnp.mean((jnp.argmax(logits, -1) == batch["y"]).astype(jnp.float32))}
