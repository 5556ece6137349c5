"""A dropout key of its own: the masks never depend on dropout_key."""
TASK = "trainstate.apply_train"
EXPECT = "gave the same logits for two different dropout keys"


def apply_train(model, variables, x, dropout_key):
    logits, updates = model.apply(variables, x, train=True, rngs={"dropout": jax.random.key(0)},
                                  mutable=["batch_stats"])
    return logits, updates["batch_stats"]
