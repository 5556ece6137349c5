"""The updated statistics are computed and thrown away: the old batch_stats are returned."""
TASK = "trainstate.apply_train"
EXPECT = "returned batch statistics equal to the ones in `variables`"


def apply_train(model, variables, x, dropout_key):
    logits, _ = model.apply(variables, x, train=True, rngs={"dropout": dropout_key}, mutable=["batch_stats"])
    return logits, variables["batch_stats"]
