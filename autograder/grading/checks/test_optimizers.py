"""Hidden checks for topic `optimizers`.

Each check compares what the student's functions returned (``got.out``) with what the reference returned on the
same fresh random inputs, computed in the grader's own process (``ref``): the same transformation, driven over the
same gradients. Properties measured beside the student's code (``got.report``: trace counts, calls of forbidden
Optax functions, a type) only ever take points away. Docstrings list the mistakes each check rejects.
"""
import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match, tree_problem
from autograder.sandbox.probes import optimizers as probes


def _runs(out):
    return out if isinstance(out, dict) else {}


def _traced_once(got, ref, function):
    """Fail unless every run traced the step exactly once and never called the loss eagerly (a report)."""
    for name in ref.given:
        counted = got.report.get(name)
        counted = counted if isinstance(counted, dict) else {}
        expect(counted.get("eager_calls") == 0,
               f"In the {name} run {function} called loss_fn {counted.get('eager_calls')} time(s) outside a compiled "
               "step. Compute the loss and the gradients inside the step that jax.jit compiles (jax.value_and_grad "
               "gives both), and take the losses from it.")
        expect(counted.get("traces") == 1,
               f"In the {name} run ({ref.given[name]['optimizer']}) jax.jit traced the step of {function} "
               f"{counted.get('traces')} times; expected once for batches of the same shapes. Build the jitted step "
               "once per call (not inside the loop), close over tx, and keep the type of every argument the same from "
               "step to step.")


@pytest.mark.task("optimizers.fit")
def test_fit_follows_the_optax_loop(run):
    """Rejects: never applying the updates (params returned unchanged), subtracting the updates (they are already
    signed), passing the old opt_state again (momentum and Adam restart every step; the returned state is the
    initial one), calling tx.update without params (AdamW raises ValueError), recording the loss after the step,
    losses that are not one float32 per batch."""
    got, ref = run(probes.fit_runs)
    for name, run_out in _runs(got.out).items():
        initial = ref.given.get(name, {}).get("initial")
        params = run_out.get("params") if isinstance(run_out, dict) else None
        if initial is not None and tree_problem(params, initial, exact_dtype=True) is None:
            expect(False, f"In the {name} run ({ref.given[name]['optimizer']}) fit returned the initial params "
                          "unchanged: tx.update only computes the updates; add them to the params with "
                          "optax.apply_updates.")
    runs = ", ".join(f"{v['optimizer']} over {v['batches']} batch(es)" for v in ref.given.values())
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"fit(loss_fn, params, tx, batches) with {runs}",
                 hint="init once; each step takes the loss and gradients at the current params, calls "
                      "tx.update(grads, opt_state, params), adds the updates with optax.apply_updates and carries the "
                      "NEW opt_state to the next step; losses[i] is the loss before step i.")


@pytest.mark.task("optimizers.fit")
def test_fit_compiles_one_step(run):
    """Rejects: an eager Python loop (loss_fn runs once per batch), a jitted step rebuilt for every batch (traced
    again each time), the loss computed outside the compiled step."""
    got, ref = run(probes.fit_runs)
    _traced_once(got, ref, "fit")


@pytest.mark.task("optimizers.warmup_cosine_schedule")
def test_warmup_cosine_schedule_matches_optax(run):
    """Rejects: a cosine over decay_steps instead of decay_steps - warmup_steps, no clamp past decay_steps (the
    cosine climbs back), an off-by-one step (step + 1), a warmup that reaches the peak one step late, decaying to 0
    instead of end_value, ignoring init_value, a Python if on the step (fails under jit), a Python float or a
    float64 result, calling optax's schedules (in-process rule)."""
    got, ref = run(probes.schedule_values)
    calls = got.report.get("forbidden_calls")
    expect(calls == [], f"warmup_cosine_schedule called {calls}: this task asks you to write the schedule yourself, "
                        "from jax.numpy operations.")
    types = got.report.get("types")
    wrong = {name: kind for name, kind in (types.items() if isinstance(types, dict) else []) if kind != "jax.Array"}
    expect(not wrong, f"schedule(step) for a Python int step returned {wrong} where the docstring promises a float32 "
                      "jax.Array: compute with jax.numpy.")
    shown = "; ".join(f"{name}: init_value={s['init_value']:.4f}, peak_value={s['peak_value']:.4f}, "
                      f"warmup_steps={s['warmup_steps']}, decay_steps={s['decay_steps']}, "
                      f"end_value={s['end_value']:.4f}" for name, s in ref.given["settings"].items())
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"schedule = warmup_cosine_schedule(...) with ({shown}), called at every step from 0 to "
                      "decay_steps + 3 and at 10 * decay_steps + 7 (eagerly with Python ints, and vmapped under "
                      "jax.jit), on a 2x3 array of steps, and as an optimizer's learning rate",
                 hint="linear from init_value at step 0 to peak_value at warmup_steps; then the cosine over "
                      "decay_steps - warmup_steps steps down to end_value; end_value from decay_steps on; float32.")


@pytest.mark.task("optimizers.make_adamw")
def test_make_adamw_matches_the_chain(run):
    """Rejects: clipping each entry by value instead of the global norm, clipping after AdamW (the updates, not the
    gradients), no clipping, decaying every leaf (biases and scales too), a weight decay not multiplied by the
    learning rate (added after it), an L2 term added to the gradients before Adam, a constant learning rate or a
    schedule without the warmup, the wrong end value."""
    got, ref = run(probes.adamw_runs)
    shown = "; ".join(", ".join(f"{k}={v:.4g}" for k, v in s.items()) for s in ref.given.values())
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"tx = make_adamw(...) with ({shown}), driven through decay_steps + 2 updates (the first eager, "
                      "the rest jitted) on two parameter trees, with random gradients whose global norms lie far "
                      "below or far above clip_norm",
                 hint="clip by global norm first; then AdamW whose learning rate is the warmup-cosine schedule from "
                      "0.0, with the weight decay (scaled by that learning rate) only on the 'w' and 'kernel' leaves.")


@pytest.mark.task("optimizers.scale_by_lion")
def test_scale_by_lion_directions(run):
    """Rejects: b1 and b2 swapped, the direction computed from the already-updated moment, a minus sign in the
    direction (the chain's learning rate negates already), never updating the moment (returning the old state),
    an update that requires params (fails when called without them), not a GradientTransformation, wrapping
    optax.scale_by_lion or optax.lion (in-process rule)."""
    got, ref = run(probes.lion_runs)
    calls = got.report.get("forbidden_calls")
    expect(calls == [], f"scale_by_lion called {calls}: this task asks you to write the transformation yourself.")
    expect(got.report.get("is_gradient_transformation") is True,
           "scale_by_lion did not return an optax.GradientTransformation: wrap your init and update functions in "
           "optax.GradientTransformation(init, update).")
    chain = ref.given["chain"]
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"tx = scale_by_lion({ref.given['b1']:.4f}, {ref.given['b2']:.4f}) updated eagerly without "
                      f"params for 5 steps, and optax.chain(scale_by_lion({chain['b1']:.4f}, {chain['b2']:.4f}), "
                      f"optax.add_decayed_weights({chain['weight_decay']:.4f}), "
                      f"optax.scale_by_learning_rate({chain['learning_rate']:.4f})) stepped 6 times under jax.jit",
                 hint="direction = sign(b1 * m + (1 - b1) * g) with the old m, then m becomes b2 * m + (1 - b2) * g; "
                      "no minus sign and no learning rate in the direction.")


@pytest.mark.task("optimizers.fit_with_learning_rates")
def test_fit_with_learning_rates_steps_with_each_rate(run):
    """Rejects: rebuilding the optimizer (and its state) when the rate changes (Adam's averages restart, no
    inject_hyperparams state), setting a rate one step late, never changing the first rate, a learning rate left
    as a Python float in the returned state."""
    got, ref = run(probes.learning_rate_runs)
    runs = "; ".join(f"{v['optimizer']} with rates {[round(r, 4) for r in v['learning_rates']]}"
                     for v in ref.given.values())
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"fit_with_learning_rates(loss_fn, params, optimizer, batches, learning_rates) with {runs}",
                 hint="build optax.inject_hyperparams(optimizer)(learning_rate=learning_rates[0]) and its state once; "
                      "before step i put learning_rates[i], as a float32 array, into the state's "
                      "hyperparams['learning_rate'].")


@pytest.mark.task("optimizers.fit_with_learning_rates")
def test_fit_with_learning_rates_compiles_once(run):
    """Rejects: a Python float put into the state only when the rate changes (a new type: traced again), a jitted
    step rebuilt for every new rate, an eager loop."""
    got, ref = run(probes.learning_rate_runs)
    _traced_once(got, ref, "fit_with_learning_rates")


@pytest.mark.task("optimizers.fit_accumulated")
def test_fit_accumulated_steps_on_the_mean(run):
    """Rejects: summing the micro-batch gradients (use_grad_mean=False), stepping after every micro-batch (no
    accumulation), a group of every_k + 1 or every_k - 1, applying a trailing partial group, an eager loop or a
    step traced again for the applying micro-batches (report)."""
    got, ref = run(probes.accumulation_runs)
    _traced_once(got, ref, "fit_accumulated")
    runs = "; ".join(f"{v['optimizer']} over {v['micro_batches']} micro-batches with every_k={v['every_k']}"
                     for v in ref.given.values())
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"fit_accumulated(loss_fn, params, tx, micro_batches, every_k) with {runs}",
                 hint="tx steps once after every every_k-th micro-batch, on the MEAN of their gradients; the params do "
                      "not move in between, and a trailing incomplete group is never applied.")
