# Generated from solutions/optimizers.py (sha256 b5373a55005a) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `optimizers`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from optimizers import *  # noqa: F401,F403  (the functions you write)


# Task optimizers.fit
def test_fit_descends_a_quadratic_with_sgd():
    target = jnp.array([1.0, -2.0, 0.5])

    def loss_fn(params, batch):
        return jnp.sum((params["w"] - batch["target"]) ** 2)

    params = {"w": jnp.zeros(3)}
    new_params, _, losses = fit(loss_fn, params, optax.sgd(0.25), [{"target": target}] * 3)
    # Each SGD step with learning rate 0.25 halves the distance to the target: w = target * (1 - 0.5 ** steps).
    assert jnp.allclose(new_params["w"], target * 0.875, atol=1e-6), (
        f"after 3 SGD steps of 0.25 from 0, fit returned w = {new_params['w']}, expected {target * 0.875}")
    expected = jnp.sum(target ** 2) * jnp.array([1.0, 0.25, 0.0625])
    assert losses.shape == (3,) and jnp.allclose(losses, expected, rtol=1e-5), (
        f"fit returned losses {losses}, expected {expected} (the loss before each step)")


def test_fit_carries_the_adamw_state():
    def loss_fn(params, batch):
        return jnp.mean((batch["x"] @ params["w"] + params["b"] - batch["y"]) ** 2)

    params = {"w": jnp.ones((2, 1)), "b": jnp.zeros(1)}
    batches = [{"x": jnp.array([[1.0, 2.0], [3.0, -1.0]]), "y": jnp.array([[0.5], [1.0]])}] * 4
    _, opt_state, losses = fit(loss_fn, params, optax.adamw(0.05, weight_decay=0.1), batches)
    count = int(opt_state[0].count)
    assert count == 4, f"the Adam count in the returned opt_state is {count} after 4 batches, expected 4"
    assert losses[-1] < losses[0], f"the loss did not decrease over 4 AdamW steps: {losses}"


# Task optimizers.warmup_cosine_schedule
def test_warmup_cosine_schedule_matches_optax_at_every_step():
    mine = warmup_cosine_schedule(0.1, 1.0, 3, 7, 0.25)
    theirs = optax.warmup_cosine_decay_schedule(0.1, 1.0, 3, 7, 0.25)
    for step in range(10):
        assert jnp.allclose(mine(step), theirs(step), rtol=1e-5, atol=1e-6), (
            f"warmup_cosine_schedule(0.1, 1.0, 3, 7, 0.25)({step}) is {mine(step)}, optax gives {theirs(step)}")


def test_warmup_cosine_schedule_under_jit():
    mine = jax.jit(warmup_cosine_schedule(0.0, 2.0, 2, 5, 0.5))
    steps = jnp.arange(8, dtype=jnp.int32)
    expected = optax.warmup_cosine_decay_schedule(0.0, 2.0, 2, 5, 0.5)(steps)
    got = jnp.stack([mine(step) for step in steps])
    assert jnp.allclose(got, expected, rtol=1e-5, atol=1e-6), (
        f"jax.jit(warmup_cosine_schedule(0.0, 2.0, 2, 5, 0.5)) over steps 0..7 gave {got}, optax gives {expected}")


# Task optimizers.make_adamw
def test_make_adamw_first_update_is_zero_and_biases_do_not_decay():
    tx = make_adamw(peak_lr=0.1, warmup_steps=2, decay_steps=6, end_lr=0.01, clip_norm=1.0, weight_decay=0.5)
    params = {"dense": {"w": jnp.array([2.0, -4.0]), "b": jnp.array([1.0])}}
    zero = jax.tree.map(jnp.zeros_like, params)
    state = tx.init(params)
    updates, state = tx.update(zero, state, params)
    assert jnp.allclose(updates["dense"]["w"], 0.0), (
        f"the first update of w is {updates['dense']['w']}: the warmup starts from a learning rate of 0.0")
    updates, state = tx.update(zero, state, params)
    # Step 1 of a 2-step warmup to 0.1: learning rate 0.05, so the decay of w is 0.05 * 0.5 * w.
    assert jnp.allclose(updates["dense"]["w"], jnp.array([-0.05, 0.1]), atol=1e-6), (
        f"with a zero gradient the second update of w is {updates['dense']['w']}, expected [-0.05, 0.1]: "
        "learning rate 0.05 times weight decay 0.5 times w")
    assert jnp.allclose(updates["dense"]["b"], 0.0), (
        f"with a zero gradient the second update of b is {updates['dense']['b']}, expected 0: b is not decayed")


def test_make_adamw_clips_before_adam():
    tx = make_adamw(peak_lr=1.0, warmup_steps=1, decay_steps=3, end_lr=0.0, clip_norm=1.0, weight_decay=0.1)
    params = {"b": jnp.zeros(1)}  # not decayed
    state = tx.init(params)
    for g in (30.0, 0.5):
        updates, state = tx.update({"b": jnp.array([g])}, state, params)
    # Clipped, Adam sees the gradients 1.0 then 0.5; at update 1 the learning rate is the peak, 1.0. Adam's second
    # direction is then mu_hat / sqrt(nu_hat) = (0.14 / 0.19) / sqrt(0.001249 / 0.001999) = 0.93218.
    assert jnp.allclose(updates["b"], -0.93218, atol=1e-4), (
        f"the second update of b is {updates['b']}, expected [-0.93218]: clip the gradients before Adam sees them")


# Task optimizers.scale_by_lion
def test_scale_by_lion_matches_the_formula():
    tx = scale_by_lion(0.5, 0.9)
    params = {"w": jnp.zeros(3)}
    state = tx.init(params)
    first, state = tx.update({"w": jnp.array([1.0, -2.0, 0.0])}, state)
    assert jnp.array_equal(first["w"], jnp.array([1.0, -1.0, 0.0])), (
        f"the first direction is {first['w']}, expected [1, -1, 0]: the sign of the gradient while m is 0")
    # m is now 0.1 * g = [0.1, -0.2, 0]; 0.5 * m + 0.5 * g with g = [-0.05, 0.3, 1]: [0.025, 0.05, 0.5].
    second, state = tx.update({"w": jnp.array([-0.05, 0.3, 1.0])}, state)
    assert jnp.array_equal(second["w"], jnp.array([1.0, 1.0, 1.0])), (
        f"the second direction is {second['w']}, expected [1, 1, 1]: sign(b1 * m + (1 - b1) * g) with the old m")


def test_scale_by_lion_in_a_jitted_chain():
    tx = optax.chain(scale_by_lion(0.9, 0.99), optax.scale_by_learning_rate(0.1))
    params = {"w": jnp.array([1.0, -1.0]), "b": jnp.array(0.5)}
    grads = {"w": jnp.array([0.3, -0.7]), "b": jnp.array(2.0)}
    updates, _ = jax.jit(tx.update)(grads, tx.init(params), params)
    assert jnp.allclose(updates["w"], jnp.array([-0.1, 0.1])) and jnp.allclose(updates["b"], -0.1), (
        f"a jitted chain of scale_by_lion and scale_by_learning_rate(0.1) gave {updates}, expected w: [-0.1, 0.1], "
        "b: -0.1")


# Task optimizers.fit_with_learning_rates
def test_fit_with_learning_rates_uses_each_rate():
    def loss_fn(params, batch):
        return jnp.sum(params["w"] * batch["g"])  # gradient g, whatever the params

    params = {"w": jnp.zeros(2)}
    batches = [{"g": jnp.array([1.0, -1.0])}] * 3
    new_params, opt_state, _ = fit_with_learning_rates(loss_fn, params, optax.sgd, batches, [0.5, 0.25, 0.125])
    # Plain SGD with a constant gradient: w moves by -(0.5 + 0.25 + 0.125) * g.
    assert jnp.allclose(new_params["w"], jnp.array([-0.875, 0.875])), (
        f"SGD with rates 0.5, 0.25, 0.125 on the gradient [1, -1] gave w = {new_params['w']}, expected [-0.875, 0.875]")
    rate = opt_state.hyperparams["learning_rate"]
    assert rate.dtype == jnp.float32 and jnp.allclose(rate, 0.125), (
        f"opt_state.hyperparams['learning_rate'] is {rate!r}, expected a float32 array equal to 0.125")


# Task optimizers.fit_accumulated
def test_fit_accumulated_equals_the_large_batch_step():
    def loss_fn(params, batch):
        return jnp.mean((batch["x"] * params["w"] - batch["y"]) ** 2)

    x, y = jnp.array([1.0, 2.0, -1.0, 0.5]), jnp.array([2.0, 1.0, 0.0, -1.0])
    params = {"w": jnp.array(0.5)}
    micro = [{"x": x[:2], "y": y[:2]}, {"x": x[2:], "y": y[2:]}]
    got, losses = fit_accumulated(loss_fn, params, optax.sgd(0.1), micro, every_k=2)
    large = params["w"] - 0.1 * jax.grad(loss_fn)(params, {"x": x, "y": y})["w"]
    assert jnp.allclose(got["w"], large, rtol=1e-5), (
        f"two micro-batches accumulated gave w = {got['w']}, the SGD step on the whole batch gives {large}")
    assert losses.shape == (2,) and jnp.allclose(losses[0], loss_fn(params, micro[0])) \
        and jnp.allclose(losses[1], loss_fn(params, micro[1])), (
        f"fit_accumulated returned losses {losses}: the params do not change before the second micro-batch")


def test_fit_accumulated_does_not_apply_a_partial_group():
    def loss_fn(params, batch):
        return jnp.sum(params["w"] * batch["g"])

    params = {"w": jnp.zeros(1)}
    micro = [{"g": jnp.array([1.0])}] * 5
    got, _ = fit_accumulated(loss_fn, params, optax.sgd(1.0), micro, every_k=3)
    assert jnp.allclose(got["w"], -1.0), (
        f"5 micro-batches with every_k=3 gave w = {got['w']}, expected [-1.]: one step of the mean gradient; "
        "the last 2 micro-batches are only accumulated")
