"""train=False: running averages and no dropout, so nothing is updated."""
TASK = "trainstate.apply_train"
EXPECT = "returned batch statistics equal to the ones in `variables`"


def apply_train(model, variables, x, dropout_key):
    logits, updates = model.apply(variables, x, train=False, rngs={"dropout": dropout_key}, mutable=["batch_stats"])
    return logits, updates["batch_stats"]
