"""Training mode with a fixed key at evaluation: the key no longer matters, the batch statistics still do."""
TASK = "trainstate.eval_step"
EXPECT = "depends on the rest of its batch"


def eval_step(state, batch):
    logits, _ = state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, batch["x"], train=True,
                               rngs={"dropout": jax.random.key(0)}, mutable=["batch_stats"])
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean()
    return {"loss": loss, "accuracy": jnp.mean((jnp.argmax(logits, -1) == batch["y"]).astype(jnp.float32))}
