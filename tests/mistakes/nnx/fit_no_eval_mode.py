"""Never calls model.eval(): the test set is run in training mode (its statistics, random masks) and the model
is left in training mode."""
TASK = "nnx.fit"
EXPECT = "fit(model, data, num_epochs=2"


def fit(model, data, *, num_epochs, batch_size, learning_rate, key):
    optimizer = nnx.Optimizer(model, optax.adam(learning_rate), wrt=nnx.Param)
    step = nnx.jit(train_step)
    train_x, train_y = jnp.asarray(data["train_x"]), jnp.asarray(data["train_y"])
    n_train = train_x.shape[0]
    history = {"train_loss": [], "test_accuracy": []}
    model.train()
    for epoch in range(num_epochs):
        order = jax.random.permutation(jax.random.fold_in(key, epoch), n_train)
        losses = [step(model, optimizer, train_x[order[b * batch_size:(b + 1) * batch_size]],
                       train_y[order[b * batch_size:(b + 1) * batch_size]]) for b in range(n_train // batch_size)]
        history["train_loss"].append(float(jnp.mean(jnp.stack(losses))))
        predictions = jnp.argmax(model(jnp.asarray(data["test_x"])), axis=-1)
        history["test_accuracy"].append(float(jnp.mean(predictions == jnp.asarray(data["test_y"]))))
    return history
