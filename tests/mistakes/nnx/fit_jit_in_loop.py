"""Wraps train_step in nnx.jit at every step: a new jitted function, so a new trace, every time."""
TASK = "nnx.fit"
EXPECT = "a single trace"


def fit(model, data, *, num_epochs, batch_size, learning_rate, key):
    optimizer = nnx.Optimizer(model, optax.adam(learning_rate), wrt=nnx.Param)
    train_x, train_y = jnp.asarray(data["train_x"]), jnp.asarray(data["train_y"])
    n_train = train_x.shape[0]
    history = {"train_loss": [], "test_accuracy": []}
    for epoch in range(num_epochs):
        model.train()
        order = jax.random.permutation(jax.random.fold_in(key, epoch), n_train)
        losses = []
        for b in range(n_train // batch_size):
            idx = order[b * batch_size:(b + 1) * batch_size]
            losses.append(nnx.jit(train_step)(model, optimizer, train_x[idx], train_y[idx]))
        history["train_loss"].append(float(jnp.mean(jnp.stack(losses))))
        model.eval()
        predictions = jnp.argmax(model(jnp.asarray(data["test_x"])), axis=-1)
        history["test_accuracy"].append(float(jnp.mean(predictions == jnp.asarray(data["test_y"]))))
    return history
