"""One permutation for every epoch: the key is never folded with the epoch."""
TASK = "trainstate.fit"
EXPECT = "every epoch visited the training examples in the same order"


def fit(state, data, *, num_epochs, batch_size, key, train_step, eval_step):
    train_x, train_y = jnp.asarray(data["train_x"]), jnp.asarray(data["train_y"])
    test_batch = {"x": jnp.asarray(data["test_x"]), "y": jnp.asarray(data["test_y"])}
    n_train = train_x.shape[0]
    order = jax.random.permutation(key, n_train)
    history = {"train_loss": [], "test_accuracy": []}
    for epoch in range(num_epochs):
        losses = []
        for b in range(n_train // batch_size):
            idx = order[b * batch_size:(b + 1) * batch_size]
            state, metrics = train_step(state, {"x": train_x[idx], "y": train_y[idx]})
            losses.append(metrics["loss"])
        history["train_loss"].append(float(jnp.mean(jnp.stack(losses))))
        history["test_accuracy"].append(float(eval_step(state, test_batch)["accuracy"]))
    return state, history
