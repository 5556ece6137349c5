"""The updated statistics are computed and thrown away: the old batch_stats are returned."""
TASK = "trainstate.apply_train"
EXPECT = "equal to the ones passed in"


def apply_train(model, variables, x, dropout_key):
    logits, _ = model.apply(variables, x, train=True, rngs={"dropout": dropout_key}, mutable=["batch_stats"])
    return logits, variables["batch_stats"]
