"""The new statistics written into the caller's variables dict (only visible in an eager call)."""
TASK = "trainstate.apply_train"
EXPECT = "changed the `variables` dict it was given"


def apply_train(model, variables, x, dropout_key):
    logits, updates = model.apply(variables, x, train=True, rngs={"dropout": dropout_key}, mutable=["batch_stats"])
    variables["batch_stats"] = updates["batch_stats"]
    return logits, variables["batch_stats"]
