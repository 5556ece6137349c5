# Generated from solutions/trainstate.py (sha256 0e9d2d4bd3a0) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `trainstate`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from trainstate import *  # noqa: F401,F403  (the functions you write)


# Task trainstate.build_model
def test_build_model_collections_and_shapes():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    variables = model.init(jax.random.key(0), x, train=False)
    assert set(variables) == {"params", "batch_stats"}, (
        f"model.init returned the collections {sorted(variables)}, expected ['batch_stats', 'params']")
    logits = model.apply(variables, x, train=False)
    assert logits.shape == (6, 3), f"model.apply(variables, x, train=False) returned shape {logits.shape}, expected (6, 3)"


def test_build_model_train_mode_updates_statistics():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    variables = model.init(jax.random.key(0), x, train=False)
    _, updates = model.apply(variables, x, train=True, rngs={"dropout": jax.random.key(1)}, mutable=["batch_stats"])
    changed = jax.tree.leaves(jax.tree.map(lambda a, b: bool(jnp.any(a != b)), updates["batch_stats"],
                                           variables["batch_stats"]))
    assert any(changed), ("a train-mode apply left batch_stats unchanged: BatchNorm needs "
                          "use_running_average=not train")


# Task trainstate.apply_train
def test_apply_train_returns_new_statistics():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    variables = model.init(jax.random.key(0), x, train=False)
    logits, stats = apply_train(model, variables, x, jax.random.key(1))
    assert logits.shape == (6, 3), f"apply_train returned logits of shape {logits.shape}, expected (6, 3)"
    assert jax.tree.structure(stats) == jax.tree.structure(variables["batch_stats"]), (
        "apply_train must return the batch_stats tree itself (updates['batch_stats']), not the dict of updates")
    old_mean = jax.tree.leaves(variables["batch_stats"])[0]
    assert not jnp.array_equal(jax.tree.leaves(stats)[0], old_mean), (
        "the batch_stats returned by apply_train equal the ones passed in: return the updated statistics")


# Task trainstate.create_train_state
def test_create_train_state_fields():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    state = create_train_state(model, jax.random.key(0), jnp.linspace(-1.0, 1.0, 24).reshape(6, 4), optax.sgd(0.1))
    assert isinstance(state, TrainState), f"create_train_state returned a {type(state).__name__}, expected TrainState"
    assert int(state.step) == 0, f"state.step is {state.step}, expected 0"
    assert "batch_stats" not in state.params, "state.params holds batch_stats: pass variables['params'] only"
    assert jax.tree.structure(state.batch_stats) is not None and jax.tree.leaves(state.batch_stats), (
        "state.batch_stats is empty: pass variables['batch_stats']")


# Task trainstate.train_step
def test_train_step_counts_and_updates_statistics():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    batch = {"x": x, "y": jnp.array([0, 1, 2, 0, 1, 2])}
    state = create_train_state(model, jax.random.key(0), x, optax.adam(1e-2))
    new_state, metrics = jax.jit(train_step)(state, batch)
    assert int(new_state.step) == 1, f"after one train_step, state.step is {new_state.step}, expected 1"
    assert set(metrics) == {"loss", "accuracy"}, f"train_step returned metrics {sorted(metrics)}, expected ['accuracy', 'loss']"
    assert jnp.isfinite(metrics["loss"]), f"the loss is {metrics['loss']}"
    before, after = jax.tree.leaves(state.batch_stats)[0], jax.tree.leaves(new_state.batch_stats)[0]
    assert not jnp.array_equal(before, after), ("state.batch_stats did not change after train_step: pass the new "
                                                "statistics to apply_gradients(grads=..., batch_stats=...)")


# Task trainstate.eval_step
def test_eval_step_is_deterministic():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    batch = {"x": x, "y": jnp.array([0, 1, 2, 0, 1, 2])}
    state = create_train_state(model, jax.random.key(0), x, optax.adam(1e-2))
    first = eval_step(state, batch)
    second = eval_step(state.replace(key=jax.random.key(5)), batch)
    assert set(first) == {"loss", "accuracy"}, f"eval_step returned {sorted(first)}, expected ['accuracy', 'loss']"
    assert jnp.allclose(first["loss"], second["loss"]), (
        "eval_step gave different losses for states that differ only in their key: evaluation must not use dropout")


# Task trainstate.adam_update
def test_adam_update_matches_optax():
    params = {"w": jnp.array([1.0, -2.0, 3.0]), "b": jnp.array(0.5)}
    grads = {"w": jnp.array([0.1, -0.3, 2.0]), "b": jnp.array(-1.0)}
    mine, state = adam_update(grads, adam_init(params), 0.01)
    tx = optax.adam(0.01)
    theirs, _ = tx.update(grads, tx.init(params), params)
    assert int(state["count"]) == 1, f"the new count is {state['count']}, expected 1"
    for name in ("w", "b"):
        assert jnp.allclose(mine[name], theirs[name], atol=1e-7), (
            f"adam_update's first update of '{name}' is {mine[name]}, optax.adam gives {theirs[name]}")


# Task trainstate.fit
def test_fit_runs_two_epochs():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    rng = np.random.default_rng(0)
    data = {"train_x": rng.normal(size=(15, 4)).astype(np.float32), "train_y": rng.integers(0, 3, 15).astype(np.int32),
            "test_x": rng.normal(size=(6, 4)).astype(np.float32), "test_y": rng.integers(0, 3, 6).astype(np.int32)}
    state = create_train_state(model, jax.random.key(0), data["train_x"][:6], optax.adam(1e-2))
    state, history = fit(state, data, num_epochs=2, batch_size=6, key=jax.random.key(1),
                         train_step=jax.jit(train_step), eval_step=jax.jit(eval_step))
    assert int(state.step) == 4, f"after 2 epochs of 15 examples in batches of 6, state.step is {state.step}, expected 4"
    assert len(history["train_loss"]) == 2 and len(history["test_accuracy"]) == 2, (
        f"history has {len(history['train_loss'])} losses and {len(history['test_accuracy'])} accuracies, expected 2 each")
