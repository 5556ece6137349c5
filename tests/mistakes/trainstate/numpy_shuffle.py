"""Shuffling with NumPy's global generator instead of the key: the order cannot be reproduced from the key."""
TASK = "trainstate.fit"
EXPECT = "fit(state, data with"


def fit(state, data, *, num_epochs, batch_size, key, train_step, eval_step):
    train_x, train_y = np.asarray(data["train_x"]), np.asarray(data["train_y"])
    test_batch = {"x": jnp.asarray(data["test_x"]), "y": jnp.asarray(data["test_y"])}
    n_train = train_x.shape[0]
    history = {"train_loss": [], "test_accuracy": []}
    for epoch in range(num_epochs):
        order = np.random.permutation(n_train)
        losses = []
        for b in range(n_train // batch_size):
            idx = order[b * batch_size:(b + 1) * batch_size]
            state, metrics = train_step(state, {"x": jnp.asarray(train_x[idx]), "y": jnp.asarray(train_y[idx])})
            losses.append(metrics["loss"])
        history["train_loss"].append(float(jnp.mean(jnp.stack(losses))))
        history["test_accuracy"].append(float(eval_step(state, test_batch)["accuracy"]))
    return state, history
