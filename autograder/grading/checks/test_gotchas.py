"""Hidden checks for topic `gotchas`.

Each check compares what the student's functions returned (``got.out``) with what the reference returned on
the same fresh random inputs, computed in the grader's own process (``ref``). Properties measured beside the
student's code (``got.report``) only ever take points away. Docstrings list the mistakes each check rejects.
"""
import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match
from autograder.sandbox.probes import gotchas as probes


@pytest.mark.task("gotchas.running_mean_step")
def test_running_mean_follows_the_sequence(run):
    """Rejects: dividing by the old count, forgetting to carry the total, returning the old state, a count or
    total of another dtype, ignoring the count already in the state."""
    got, ref = run(probes.running_mean_sequence)
    expect_match(got.out, ref.out, exact_dtype=True,
                 call="Folding running_mean_step over random observations (from a fresh state, and from a state "
                      "that has already counted some)",
                 hint="the new state counts one more observation and adds x to the total; the mean is the new "
                      "total over the new count; keep count int32 and total float32.")


@pytest.mark.task("gotchas.running_mean_step")
def test_running_mean_is_pure(run):
    """Rejects: a global counter or total, `state[...] = ...` on the caller's dict, hidden state between calls."""
    got, ref = run(probes.running_mean_purity)
    changed = got.report["changed_globals"]
    expect(changed == [], f"Calling running_mean_step changed the module global(s) {changed}. A pure function "
                          "keeps its state in its arguments and return value; under jax.jit a global is read once, "
                          "at trace time.")
    expect(got.report["input_state_intact"] is True,
           "running_mean_step modified the state dict it was given. Build and return a new dict instead: callers "
           "(and jax.lax.scan) still hold the old one.")
    expect_match(got.out["first"], ref.out["first"], call="running_mean_step(state, x) on a state with some "
                 "observations already counted", exact_dtype=True)
    expect_match(got.out["second"], ref.out["second"], call="Calling running_mean_step a second time with the same "
                 "state and x", hint="the same inputs must give the same output; something outside the arguments "
                 "is changing.")


@pytest.mark.task("gotchas.running_mean_step")
def test_running_mean_under_scan_and_jit(run):
    """Rejects: Python side effects that only run at trace time, a state whose structure, shapes or dtypes change
    between steps (lax.scan refuses it, jit retraces)."""
    got, ref = run(probes.running_mean_scan_and_jit)
    expect_match(got.out, ref.out, exact_dtype=True,
                 call="lax.scan(running_mean_step, state, xs) and a jitted Python loop over the same random xs",
                 hint="return a state with the same keys, shapes and dtypes as the one you were given.")
    expect(got.report["traces"] == 1,
           f"jax.jit traced running_mean_step {got.report['traces']} times for {got.report['calls']} calls with "
           "same-shaped inputs; expected 1. The state you return must have the same structure, shapes and dtypes "
           "as the one you were given (count int32, total float32).")


@pytest.mark.task("gotchas.swap_rows")
def test_swap_rows_values(run):
    """Rejects: ignoring the result of .at[].set (x returned unchanged), writing the second row from the
    already-updated array (a duplicated row), Python ints only (fails with traced indices under jit)."""
    got, ref = run(probes.swap_rows_values)
    x, i, j = ref.given["x"], ref.given["i"], ref.given["j"]
    eager = got.out["eager"] if isinstance(got.out, dict) else None
    if type(eager) is np.ndarray and eager.shape == x.shape:
        expect(not np.array_equal(eager, x),
               f"swap_rows(x, {i}, {j}) returned x unchanged: x.at[i].set(...) does not modify x, it returns a new "
               "array. Use the array it returns.")
        expect(not np.array_equal(eager[i], eager[j]),
               f"After swap_rows(x, {i}, {j}) rows {i} and {j} are identical: the second write read its row from "
               "the already-updated array. Read both rows from the original x before writing.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"swap_rows on a random {x.shape[0]}x{x.shape[1]} float32 array (eager, jitted with traced "
                      "indices, i == j) and on a 1-D int32 array",
                 hint="read both rows from the original array first, then write each into the other's place.")


@pytest.mark.task("gotchas.swap_rows")
def test_swap_rows_leaves_input_alone(run):
    """Rejects: in-place NumPy assignment `x[[i, j]] = x[[j, i]]` on the caller's array."""
    got, ref = run(probes.swap_rows_numpy_input)
    expect(got.report["input_unchanged"] is True,
           "swap_rows modified the NumPy array it was given. Work on a JAX array with .at[] and return a new array.")
    expect_match(got.out, ref.out, call="swap_rows(numpy_x, i, j) on a random NumPy array")


@pytest.mark.task("gotchas.bincount")
def test_bincount_matches_numpy(run):
    """Rejects: .at[idx].set(1) (duplicates counted once), plain .at[idx].add(1) (negative indices wrap to the
    end), counting clamped indices in the last bin, an ignored .at[] result (all zeros), a float or int64 result,
    failing on an empty idx or a single bin."""
    got, ref = run(probes.bincount_values)
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"bincount(idx, {ref.given['length']}) on 40 random indices (duplicates, negatives and "
                      "indices past the end among them), jitted on a 3x5 grid, on an empty idx, and with length 1",
                 hint="every occurrence of a valid index adds one; an index outside [0, length) adds nothing "
                      "anywhere; the result is int32.")


@pytest.mark.task("gotchas.safe_take")
def test_safe_take_fill_semantics(run):
    """Rejects: plain x[idx] (JAX clamps out-of-bounds reads to the edge), treating -n as invalid, wrapping every
    negative index, ignoring fill, a float result for an int x, Python branching on idx (fails under jit/vmap)."""
    got, ref = run(probes.safe_take_values)
    n = ref.given["n"]
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"safe_take(x, idx, fill) with x of length {n} (float32 and int32) on the edge indices "
                      f"{[-n - 1, -n, -1, 0, n - 1, n, n + 3]}, jitted and vmapped over random indices",
                 hint="indices in [-n, n) are valid, negative ones counting from the end; anything else gives fill, "
                      "converted to x's dtype.")


@pytest.mark.task("gotchas.weighted_average")
def test_weighted_average_accepts_any_sequence(run):
    """Rejects: calling jnp functions on Python lists (TypeError), NumPy or Python arithmetic that returns a
    NumPy or Python float (not a float32 jax.Array, and fails under jit), integer arithmetic on int inputs,
    an unweighted mean, dividing by the length instead of the total weight."""
    got, ref = run(probes.weighted_average_inputs)
    expect_match(got.out, ref.out, exact_dtype=True,
                 call="weighted_average(values, weights) with int lists, tuples, NumPy int and float arrays, a single "
                      "entry, and jitted JAX arrays",
                 hint="convert both inputs to float32 arrays first; divide by the sum of the weights.")
    wrong = {name: kind for name, kind in got.report["types"].items() if kind != "jax.Array"}
    expect(not wrong, f"weighted_average returned {wrong} where the docstring promises a jax.Array: compute with "
                      "jax.numpy, not NumPy or Python arithmetic.")


@pytest.mark.task("gotchas.dropout_masks")
def test_dropout_masks_use_keys_properly(run):
    """Rejects: one key for every mask (identical masks, KeyReuseError), np.random (not drawn from the key),
    float masks, a keep probability of 1 - p, fold_in or another split than split(key, n)."""
    got, ref = run(probes.dropout_masks_draws)
    given = ref.given
    expect(got.report["key_reuse_error"] is None,
           f"dropout_masks used a PRNG key twice (jax.debug_key_reuse says: {got.report['key_reuse_error']}). Split "
           "the key once into n subkeys and use each subkey for one mask.")
    masks = got.out["masks"] if isinstance(got.out, dict) else None
    if type(masks) is np.ndarray and masks.shape == ref.out["masks"].shape:
        identical = all(np.array_equal(mask, masks[0]) for mask in masks)
        expected_identical = all(np.array_equal(mask, ref.out["masks"][0]) for mask in ref.out["masks"])
        expect(not identical or expected_identical,
               f"dropout_masks(key, {given['n']}, ...) returned {given['n']} identical masks: each mask needs its own "
               "subkey.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"dropout_masks(key, {given['n']}, {tuple(given['shape'])}, keep_prob={given['keep_prob']:.3f}) "
                      "and with n = 1",
                 hint="split the key into n subkeys with jax.random.split(key, n) and draw mask i with "
                      "jax.random.bernoulli(subkeys[i], keep_prob, shape): True means kept.")


@pytest.mark.task("gotchas.soft_clip")
def test_soft_clip_values_jit_vmap_grad(run):
    """Rejects: a Python `if` on array values (TracerBoolConversionError under jit), the single-where version
    whose gradient is nan at 0, clipping to +-1 instead of the log tail, log instead of 1 + log."""
    got, ref = run(probes.soft_clip_values_and_gradient)
    grad = got.out.get("grad") if isinstance(got.out, dict) else None
    if type(grad) is np.ndarray and grad.shape == ref.out["grad"].shape and grad.dtype.kind == "f":
        expect(bool(np.isfinite(grad).all()),
               "jax.grad of sum(soft_clip(x)) is not finite everywhere (x includes 0): jnp.where differentiates "
               "both branches, and log(|0|) poisons the gradient. Feed log a safe value where it is not used (the "
               "double-where trick).")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call="soft_clip(x) on 20 values including 0, +-1, +-e and values just inside and outside +-1 "
                      "(eager, jitted, vmapped, and jax.grad of its sum)",
                 hint="x itself inside [-1, 1], sign(x) * (1 + log|x|) outside.")


@pytest.mark.task("gotchas.collatz_steps")
def test_collatz_steps_with_lax_loop(run):
    """Rejects: a Python while loop on a traced value (TracerBoolConversionError), a fixed unrolled loop (no while
    primitive), counting the starting value as a step (collatz_steps(1) == 1), an off-by-one in the stop test."""
    got, ref = run(probes.collatz_values)
    expect(got.report["uses_while_loop"] is True,
           "The jaxpr of collatz_steps has no `while` primitive: the number of steps depends on n, so the loop must "
           "be a lax.while_loop (a fixed Python loop only works up to its bound).")
    expect_match(got.out, ref.out, call="collatz_steps for n = 1, 2, 3, 6, 27 and random n up to 1000 (eagerly, "
                 "jitted, and jax.jit(jax.vmap(collatz_steps)))",
                 hint="count steps until the value reaches 1; collatz_steps(1) is 0.")


@pytest.mark.task("gotchas.ema")
def test_ema_scan_values_and_gradient(run):
    """Rejects: a Python loop over time steps (the program grows with T), starting from zero instead of xs[0],
    swapping decay and 1 - decay, failing for T = 1."""
    got, ref = run(probes.ema_values_and_structure)
    expect(got.report["program_grows_with_T"] is False,
           "The compiled program of ema grows with the number of time steps: a Python loop is unrolled into T "
           "copies. Use lax.scan so the body is compiled once.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"ema(xs, decay) on random xs with decay {ref.given['decay']:.3f}, 0 and 1, for T = 1, jitted, "
                      "and jax.grad of a weighted sum",
                 hint="s[0] = xs[0], then s[t] = decay * s[t-1] + (1 - decay) * xs[t].")


@pytest.mark.task("gotchas.make_one_hot")
def test_one_hot_static_classes(run):
    """Rejects: a plain function (not jitted), jit without static num_classes (ConcretizationTypeError), deriving
    the number of classes from the data, jnp.eye(num_classes)[labels] (out-of-range labels clamp or wrap instead
    of giving zero rows), an integer result."""
    got, ref = run(probes.one_hot_values)
    expect(got.report["is_jitted"] is True,
           "make_one_hot() returned a plain function: return the function jax.jit gives you, with num_classes "
           "static.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call="encode = make_one_hot(); encode(labels, num_classes=k) for random k (k = 1 too) and labels that "
                      "include -1, 0, k - 1, k and k + 3, and encode(labels, 4) by position",
                 hint="one row per label, 1.0 in the label's column; a label outside [0, k) gives a row of zeros.")
