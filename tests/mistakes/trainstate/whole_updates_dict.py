"""The whole dict of updated collections returned instead of its batch_stats entry."""
TASK = "trainstate.apply_train"
EXPECT = "returned the whole dict of updated collections"


def apply_train(model, variables, x, dropout_key):
    return model.apply(variables, x, train=True, rngs={"dropout": dropout_key}, mutable=["batch_stats"])
