# Generated from solutions/gotchas.py (sha256 f657ba736a09) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `gotchas`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from gotchas import *  # noqa: F401,F403  (the functions you write)


# Task gotchas.running_mean_step
def test_running_mean_step_averages_three_values():
    state = init_running_mean(())
    for value in (1.0, 2.0, 6.0):
        state, mean = running_mean_step(state, jnp.float32(value))
    assert int(state["count"]) == 3, f"after 3 steps state['count'] is {state['count']}, expected 3"
    assert jnp.allclose(mean, 3.0), f"running_mean_step over 1, 2, 6 returned mean {mean}, expected 3.0"


def test_running_mean_step_leaves_input_state_alone():
    state = init_running_mean((2,))
    running_mean_step(state, jnp.ones(2))
    assert int(state["count"]) == 0, (
        "running_mean_step changed the state it was given (count is now "
        f"{state['count']}); return a new dict instead of assigning into the old one")


# Task gotchas.swap_rows
def test_swap_rows_swaps_and_keeps_input():
    x = jnp.arange(6.0).reshape(3, 2)
    swapped = swap_rows(x, 0, 2)
    expected = jnp.array([[4.0, 5.0], [2.0, 3.0], [0.0, 1.0]])
    assert jnp.array_equal(swapped, expected), f"swap_rows(arange(6).reshape(3, 2), 0, 2) returned\n{swapped}\nexpected\n{expected}"
    assert jnp.array_equal(x, jnp.arange(6.0).reshape(3, 2)), "swap_rows changed its input"


# Task gotchas.bincount
def test_bincount_counts_duplicates():
    counts = bincount(jnp.array([1, 1, 3, 1]), 4)
    assert counts.tolist() == [0, 3, 0, 1], f"bincount([1, 1, 3, 1], 4) returned {counts.tolist()}, expected [0, 3, 0, 1]"


def test_bincount_ignores_out_of_range():
    counts = bincount(jnp.array([0, -1, 5, 2]), 3)
    assert counts.tolist() == [1, 0, 1], (
        f"bincount([0, -1, 5, 2], 3) returned {counts.tolist()}, expected [1, 0, 1]: "
        "-1 and 5 are out of range and must not be counted")


# Task gotchas.safe_take
def test_safe_take_fills_past_the_end():
    got = safe_take(jnp.arange(5.0), jnp.array([0, 4, 5, 9]), -1.0)
    assert got.tolist() == [0.0, 4.0, -1.0, -1.0], (
        f"safe_take(arange(5.), [0, 4, 5, 9], fill=-1.) returned {got.tolist()}, expected [0, 4, -1, -1]: "
        "JAX clamps reads past the end, so 5 and 9 must be detected explicitly")


def test_safe_take_accepts_negative_indices():
    got = safe_take(jnp.arange(5.0), jnp.array([-1, -5, -6]), -1.0)
    assert got.tolist() == [4.0, 0.0, -1.0], f"safe_take(arange(5.), [-1, -5, -6], fill=-1.) returned {got.tolist()}, expected [4, 0, -1]"


# Task gotchas.weighted_average
def test_weighted_average_accepts_lists():
    got = weighted_average([1, 2, 3], [1, 1, 2])
    assert jnp.allclose(got, 2.25), f"weighted_average([1, 2, 3], [1, 1, 2]) returned {got}, expected 2.25"


# Task gotchas.dropout_masks
def test_dropout_masks_differ():
    masks = dropout_masks(jax.random.key(0), 3, (64,), 0.5)
    assert masks.shape == (3, 64) and masks.dtype == jnp.bool_, f"dropout_masks returned {masks.dtype}{masks.shape}, expected bool(3, 64)"
    assert not jnp.array_equal(masks[0], masks[1]), "the first two masks are identical: use a different subkey for each mask"


def test_dropout_masks_same_key_same_masks():
    first = dropout_masks(jax.random.key(1), 2, (16,), 0.5)
    again = dropout_masks(jax.random.key(1), 2, (16,), 0.5)
    assert jnp.array_equal(first, again), "the same key gave different masks: draw only from the key you were given"


# Task gotchas.soft_clip
def test_soft_clip_values():
    got = soft_clip(jnp.array([-jnp.e, -0.5, 0.0, 2.0]))
    expected = jnp.array([-2.0, -0.5, 0.0, 1.0 + jnp.log(2.0)])
    assert jnp.allclose(got, expected), f"soft_clip([-e, -0.5, 0, 2]) returned {got}, expected {expected}"


def test_soft_clip_under_jit_with_finite_gradient():
    grad = jax.grad(lambda x: jax.jit(soft_clip)(x).sum())(jnp.array([0.0, 3.0]))
    assert jnp.all(jnp.isfinite(grad)), f"the gradient of soft_clip at [0, 3] is {grad}; use the double-where trick"


# Task gotchas.collatz_steps
def test_collatz_steps_under_jit():
    got = jax.jit(collatz_steps)(jnp.int32(6))
    assert int(got) == 8, f"jax.jit(collatz_steps)(6) returned {got}, expected 8"


# Task gotchas.ema
def test_ema_small_example():
    got = ema(jnp.array([1.0, 3.0, 3.0]), 0.5)
    assert jnp.allclose(got, jnp.array([1.0, 2.0, 2.5])), f"ema([1, 3, 3], 0.5) returned {got}, expected [1, 2, 2.5]"


# Task gotchas.make_one_hot
def test_make_one_hot_encodes_and_is_jitted():
    encode = make_one_hot()
    got = encode(jnp.array([2, 0, 7]), num_classes=4)
    expected = jnp.array([[0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    assert got.shape == (3, 4) and jnp.array_equal(got, expected), (
        f"make_one_hot()([2, 0, 7], num_classes=4) returned\n{got}\nexpected\n{expected} (7 is out of range: a zero row)")
    assert hasattr(encode, "lower"), "make_one_hot() must return the function jax.jit gives you, not a plain function"
