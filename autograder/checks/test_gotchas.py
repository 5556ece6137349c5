"""Hidden checks for topic `gotchas`.

Each check compares what a probe returns for the student with what it returns for the reference on the
same fresh random inputs, or with a property any correct answer has. Docstrings list the classic
mistakes each check rejects.
"""
import numpy as np
import pytest

from autograder.compare import expect, expect_match
from autograder.probes import gotchas as probes


@pytest.mark.task("gotchas.running_mean_step")
def test_running_mean_follows_the_sequence(run):
    """Rejects: dividing by the old count, forgetting to carry the total, returning the old state."""
    got, ref = run(probes.running_mean_sequence)
    expect_match(got, ref, call="Folding running_mean_step over 6 random 3-vectors from a zero state",
                 hint="new_count = count + 1, new_total = total + x, mean = new_total / new_count.")


@pytest.mark.task("gotchas.running_mean_step")
def test_running_mean_is_pure(run):
    """Rejects: a global counter or total, `state[...] = ...` on the caller's dict, hidden state between calls."""
    got, _ = run(probes.running_mean_purity)
    expect(got["changed_globals"] == [],
           f"Calling running_mean_step changed the module global(s) {got['changed_globals']}. A pure function "
           "keeps its state in its arguments and return value; under jax.jit a global is read once, at trace time.")
    expect(got["input_state_intact"] is True,
           "running_mean_step modified the state dict it was given. Build and return a new dict instead: "
           "callers (and jax.lax.scan) still hold the old one.")
    expect_match(got["second_mean"], got["first_mean"], call="Calling running_mean_step twice with the same state and x",
                 hint="the same inputs must give the same output; something outside the arguments is changing.")


@pytest.mark.task("gotchas.running_mean_step")
def test_running_mean_under_scan_and_jit(run):
    """Rejects: Python side effects that only run at trace time, values that break lax.scan's carry."""
    got, ref = run(probes.running_mean_scan_and_jit)
    expect(got["traces"] == 1,
           f"jax.jit traced running_mean_step {got['traces']} times for 3 calls with same-shaped inputs; expected 1. "
           "Return arrays with stable shapes and dtypes (count int32, total float32).")
    expect_match(got, ref, call="lax.scan(running_mean_step, state, xs) and a jitted loop over 5 random 2-vectors",
                 hint="keep the state's structure, shapes and dtypes identical between steps.")


@pytest.mark.task("gotchas.swap_rows")
def test_swap_rows_values(run):
    """Rejects: ignoring the result of .at[].set, writing the second row from the already-updated array
    (a duplicated row), Python ints only (fails with traced indices under jit)."""
    got, ref = run(probes.swap_rows_values)
    expect(got["returned_input_unchanged"] is False,
           "swap_rows(x, i, j) with i != j returned x unchanged: x.at[i].set(...) does not modify x, it returns "
           "a new array. Use the array it returns.")
    expect(got["rows_now_equal"] is False,
           "After swap_rows(x, i, j) rows i and j are identical: the second write read its row from the "
           "already-updated array. Read both rows from the original x before writing.")
    expect_match(got, ref, call="swap_rows(x, i, j) on a random 5x3 array (eager, jitted with traced i, j, and i == j)",
                 hint="read both rows from the original x first, then x.at[i].set(row_j).at[j].set(row_i).")


@pytest.mark.task("gotchas.swap_rows")
def test_swap_rows_leaves_input_alone(run):
    """Rejects: in-place NumPy assignment `x[[i, j]] = x[[j, i]]` on the caller's array."""
    got, ref = run(probes.swap_rows_input_untouched)
    expect(got["input_unchanged"] is True,
           "swap_rows modified the NumPy array it was given. Work on JAX arrays with .at[] and return a new array.")
    expect_match(got["out"], ref["out"], call="swap_rows(numpy_x, 0, 3)")


@pytest.mark.task("gotchas.bincount")
def test_bincount_matches_numpy(run):
    """Rejects: .at[idx].set(1) (duplicates counted once), plain .at[idx].add(1) (negative indices wrap to
    the end), an ignored .at[] result (all zeros), a float result."""
    got, ref = run(probes.bincount_values)
    expect_match(got, ref, call="bincount(idx, length) on 40 random indices (some negative or past the end) and, "
                 "jitted, on a 3x5 grid",
                 hint="duplicates must accumulate (.at[].add), and a negative index wraps unless you mask it out.")


@pytest.mark.task("gotchas.safe_take")
def test_safe_take_fill_semantics(run):
    """Rejects: plain x[idx] (JAX clamps out-of-bounds reads to the edge), treating -n as invalid, wrapping
    every negative index, Python branching on idx (fails under jit/vmap)."""
    got, ref = run(probes.safe_take_values)
    expect_match(got, ref, call="safe_take(x, idx, fill) with x of length 7 and idx in [-14, 14) "
                 "(eager on edge indices -8, -7, -1, 0, 6, 7, 12; jitted; vmapped over rows of idx)",
                 hint="a gather clamps: x[7] on a length-7 array returns x[6]. Build a mask of valid indices "
                 "and use jnp.where to put `fill` where it is False.")


@pytest.mark.task("gotchas.weighted_average")
def test_weighted_average_accepts_any_sequence(run):
    """Rejects: calling jnp functions on Python lists (TypeError), integer arithmetic on int inputs,
    returning a Python float computed outside JAX (fails under jit)."""
    got, ref = run(probes.weighted_average_inputs)
    expect_match(got, ref, call="weighted_average(values, weights) with lists, tuples, NumPy arrays and, "
                 "jitted, JAX arrays", hint="convert both inputs with jnp.asarray(..., jnp.float32) first.")


@pytest.mark.task("gotchas.dropout_masks")
def test_dropout_masks_use_keys_properly(run):
    """Rejects: one key for every mask (identical masks, KeyReuseError), np.random (not reproducible from
    the key), float masks, a wrong keep probability (1 - p)."""
    got, ref = run(probes.dropout_mask_properties)
    expect(got["key_reuse_error"] is None,
           f"dropout_masks used a PRNG key twice (jax.debug_key_reuse says: {got['key_reuse_error']}). "
           "Split the key once into n subkeys and use each subkey for one mask.")
    expect_match(got["shape"], ref["shape"], call="dropout_masks(key, 4, (8, 25), p).shape")
    expect(got["dtype"] == "bool", f"dropout_masks returned dtype {got['dtype']}, expected bool "
           "(jax.random.bernoulli returns booleans).")
    expect(got["distinct_masks"] == 4, f"dropout_masks(key, 4, ...) returned only {got['distinct_masks']} "
           "different mask(s) out of 4: each mask needs its own subkey.")
    expect(got["reproducible"] is True, "Calling dropout_masks twice with the same key gave different masks: "
           "draw all randomness from the key (no np.random, no global state).")
    expect(got["other_key_differs"] is True, "Two different keys gave identical masks: use the key you were given.")
    p, size = got["keep_prob"], got["entries"]
    sigma = (p * (1 - p) / size) ** 0.5
    expect(abs(got["keep_rate"] - p) < 5 * sigma,
           f"The fraction of True entries is {got['keep_rate']:.3f}, expected about keep_prob = {p:.3f} "
           f"(within {5 * sigma:.3f}). True means kept: bernoulli(key, keep_prob, shape).")


@pytest.mark.task("gotchas.soft_clip")
def test_soft_clip_values_jit_vmap_grad(run):
    """Rejects: a Python `if` on array values (TracerBoolConversionError under jit), the single-where
    version whose gradient is nan at 0, clipping to +-1 instead of the log tail."""
    got, ref = run(probes.soft_clip_values_and_gradient)
    grad = got["grad"]
    expect(type(grad) is np.ndarray and bool(np.isfinite(grad).all()),
           "jax.grad of sum(soft_clip(x)) is not finite everywhere (for example at x = 0): jnp.where computes "
           "both branches, and log(|0|) poisons the gradient. Feed log a safe value where it is not used "
           "(the double-where trick).")
    expect_match(got, ref, call="soft_clip(x) on 16 values including 0, +-1 and +-e (eager, jitted, vmapped, "
                 "and its gradient)", hint="x inside [-1, 1], sign(x) * (1 + log|x|) outside; use jnp.where.")


@pytest.mark.task("gotchas.collatz_steps")
def test_collatz_steps_with_lax_loop(run):
    """Rejects: a Python while loop on a traced value (TracerBoolConversionError), a fixed unrolled loop
    (no while primitive), counting the starting value as a step."""
    got, ref = run(probes.collatz_values)
    expect(got["uses_while_loop"] is True,
           "The jaxpr of collatz_steps has no `while` primitive: the number of steps depends on n, so the loop "
           "must be a lax.while_loop (a fixed Python loop only works up to its bound).")
    expect_match(got, ref, call="jax.jit(jax.vmap(collatz_steps)) on 12 random n in [1, 300)",
                 hint="carry (value, steps) through lax.while_loop until value == 1.")


@pytest.mark.task("gotchas.ema")
def test_ema_scan_values_and_gradient(run):
    """Rejects: a Python loop over time steps (the program grows with T), starting from zero instead of
    xs[0], swapping decay and 1 - decay."""
    got, ref = run(probes.ema_values_and_structure)
    expect(got["program_grows_with_T"] is False,
           "The compiled program of ema grows with the number of time steps: a Python loop is unrolled into "
           "T copies. Use lax.scan so the body is compiled once.")
    expect_match(got, ref, call="ema(xs, decay) on a random 12x3 xs (values, jitted, and jax.grad of a weighted sum)",
                 hint="s[0] = xs[0], then s[t] = decay * s[t-1] + (1 - decay) * xs[t].")


@pytest.mark.task("gotchas.one_hot")
def test_one_hot_static_classes(run):
    """Rejects: deriving the number of classes from the data (ConcretizationTypeError under jit),
    jnp.eye(num_classes)[labels] (out-of-range labels are clamped or wrap instead of giving zero rows),
    an integer result."""
    got, ref = run(probes.one_hot_values)
    expect_match(got, ref, call="jax.jit(one_hot, static_argnames='num_classes') on 15 random labels, "
                 "some outside [0, num_classes), for two class counts",
                 hint="compare labels[:, None] with jnp.arange(num_classes); a row of zeros for invalid labels.")
