"""Hidden checks for topic `checkpointing`.

Saves are checked by what a trusted reader, in a process that loads no student code, restores from the files
the student's code wrote (``got.read``), against what the same reader restored from the reference's files
(``ref.read``). Restores are checked by what the student's function returned (``got.out``) from checkpoints a
trusted writer wrote with values the student's process cannot know, against the reference's (``ref.out``).
Reports (a save still in progress when the function returned, how many training steps a call ran) only take
points away. Docstrings list the mistakes each check rejects.
"""
import pytest

from autograder.grading.compare import expect, expect_match, tree_problem
from autograder.sandbox.probes import checkpointing as probes

STATE_FIELDS = ["batch_stats", "key", "opt_state", "params", "step"]


def _unreadable(entry, item: str, step: str, expected_items: list[str] | None = None) -> str | None:
    """A sentence about a checkpoint item the trusted reader could not restore, or None when it could."""
    if type(entry) is not dict or "error" not in entry:
        return None
    items = entry.get("items")
    if expected_items is not None and type(items) is list and sorted(items) != sorted(expected_items):
        return (f"checkpoint {step} holds the items {items}, expected {sorted(expected_items)}: save "
                "ocp.args.Composite with exactly these names")
    saved = entry.get("saved")
    if type(saved) is list and saved != STATE_FIELDS:
        missing = sorted(set(STATE_FIELDS) - set(saved))
        return (f"the {item} in checkpoint {step} holds only {saved} (missing {missing}): save the whole "
                "TrainState with ocp.args.StandardSave(state)")
    return f"the {item} in checkpoint {step} could not be restored as a TrainState ({entry['error']})"


# ------------------------------------------------------------------------------------------ make_manager
def _manager_calls(ref) -> list[str]:
    return [f"make_manager({r['path']!r}, max_to_keep={r['keep']}) called in {r['call_dir']!r}"
            for r in ref.given["runs"]]


@pytest.mark.task("checkpointing.make_manager")
def test_make_manager_absolute_directory(run):
    """Rejects: handing Orbax the relative path as given (the background save fails at wait_until_finished, or
    writes under whatever the working directory is later), making it absolute against another folder than
    the working directory of the call."""
    got, ref = run(probes.manager_relative_paths_and_retention)
    for call, absolute, error in zip(_manager_calls(ref), got.report["absolute"], got.report["errors"]):
        expect(absolute is True, f"{call} returned a manager whose directory is a relative path. Orbax needs an "
                                 "absolute directory: a relative one fails later, in the background save, or lands "
                                 "under whatever the working directory is by then.")
        expect(error is None, f"Saving through the manager of {call}, and waiting, failed with {error}.")
    for call, path in zip(_manager_calls(ref), probes.MANAGER_RUNS):
        expect(got.read[path]["steps"] != [],
               f"After saving through the manager of {call} (from another working directory), no checkpoint is "
               f"in {path!r} under the working directory of the call: make the directory absolute when "
               "make_manager is called.")


@pytest.mark.task("checkpointing.make_manager")
def test_make_manager_keeps_the_latest(run):
    """Rejects: ignoring max_to_keep (every checkpoint stays), a hard-coded or off-by-one max_to_keep,
    save_interval_steps instead of max_to_keep (checkpoints skipped)."""
    got, ref = run(probes.manager_relative_paths_and_retention)
    for call, r, path in zip(_manager_calls(ref), ref.given["runs"], probes.MANAGER_RUNS):
        expect_match(got.read[path], ref.read[path], atol=0, rtol=0,
                     call=f"The checkpoints on disk (read back by a separate process) after saving {len(r['steps'])} "
                          f"steps {r['steps']} through the manager of {call} and waiting",
                     hint="ocp.CheckpointManagerOptions(max_to_keep=...) keeps only the latest checkpoints; "
                          "every save must be written.")
    expect_match(got.out, ref.out, call="all_steps() and latest_step() of the managers make_manager returned",
                 hint="the manager keeps the max_to_keep latest checkpoints.")


@pytest.mark.task("checkpointing.make_manager")
def test_make_manager_saves_asynchronously(run):
    """Rejects: enable_async_checkpointing=False (the docstring keeps asynchronous saving on)."""
    got, ref = run(probes.manager_relative_paths_and_retention)
    expect(all(flag is True for flag in got.report["async"]) and len(got.report["async"]) == 2,
           "The manager from make_manager saves synchronously (its options have enable_async_checkpointing off); "
           "the docstring asks for the default, asynchronous saving.")


# ------------------------------------------------------------------------------------------ save_state
@pytest.mark.task("checkpointing.save_state")
def test_save_state_writes_the_whole_state(run):
    """Rejects: saving only the params, or a dict without the key, step, batch statistics or optimizer state;
    saving under another step number than `step` (such as state.step); deleting or overwriting an existing
    checkpoint."""
    got, ref = run(probes.save_state_behaviour)
    first, second = ref.given["first"], ref.given["second"]
    for step, entry in got.read["checkpoints"].items():
        problem = _unreadable(entry["state"], "state", step)
        expect(problem is None, f"Restoring what save_state wrote (in a separate process, into the TrainState's "
                                f"abstract target): {problem}.")
    expect_match(got.read, ref.read,
                 call=f"The checkpoints on disk after save_state(mngr, {first}, state_1), save_state(mngr, {second}, "
                      "state_2) and two refused calls, restored as TrainStates by a separate process",
                 hint="save the whole TrainState, as checkpoint `step`, with ocp.args.StandardSave(state); a "
                      "refused call writes and deletes nothing.")


@pytest.mark.task("checkpointing.save_state")
def test_save_state_waits_for_the_save(run):
    """Rejects: returning while the asynchronous save is still running (no wait_until_finished, or a wait
    before the save)."""
    got, ref = run(probes.save_state_behaviour)
    pending = [s for s, busy in zip((ref.given["first"], ref.given["second"]), got.report["in_progress"])
               if busy is not False]  # the first save lingers before its commit: a missing wait always shows there
    expect(pending == [] and len(got.report["in_progress"]) == 2,
           f"When save_state returned, the save of checkpoint(s) {pending} was still in progress. Orbax saves in a "
           "background thread: call mngr.wait_until_finished() after mngr.save and before returning.")


@pytest.mark.task("checkpointing.save_state")
def test_save_state_refuses_steps_orbax_would_skip(run):
    """Rejects: no check at all (Orbax's save returns False and writes nothing), checking only `step in
    mngr.all_steps()` (an earlier step is skipped too), save(..., force=True) (it writes an earlier step)."""
    got, ref = run(probes.save_state_behaviour)
    first, second, between = ref.given["first"], ref.given["second"], ref.given["between"]
    refused = got.out["refused"]
    expect(refused["existing"] is True,
           f"save_state(mngr, {first}, other_state) on a manager that already holds step {first} did not raise "
           "ValueError. Orbax's save returns False there and writes nothing: the new state would be lost "
           "without a word.")
    expect(refused["earlier"] is True,
           f"save_state(mngr, {between}, other_state) on a manager holding steps {first} and {second} did not raise "
           f"ValueError. Orbax saves only steps after the latest one ({second}); for any other step save returns "
           "False (or, forced, writes an out-of-order checkpoint).")
    expect_match(got.out, ref.out, call="Which save_state calls raised ValueError")
    expect_match(got.read["steps"], ref.read["steps"],
                 call=f"The steps on disk after the refused calls save_state(mngr, {first}, ...) and "
                      f"save_state(mngr, {between}, ...)",
                 hint="a refused call writes nothing and deletes nothing.")


# ------------------------------------------------------------------------------------------ restore_state
RESTORE_CALLS = {"latest": "restore_state(mngr, template)", "earliest": "restore_state(mngr, template, {0})",
                 "middle": "restore_state(mngr, template, step={1})"}


@pytest.mark.task("checkpointing.restore_state")
def test_restore_state_into_the_template(run):
    """Rejects: restoring without a target (plain dicts, opt_state as a list), restoring into a target of plain
    containers, returning another class than the template's or another apply_fn or tx."""
    got, ref = run(probes.restore_state_round_trip)
    steps = ref.given["steps"]
    for name, text in RESTORE_CALLS.items():
        call = text.format(*steps)
        report = got.report[name]
        expect(report["is_template_class"] is True,
               f"{call} returned a {report['type']}, not a TrainState of the template's class (a restore without a "
               "target gives plain dicts and lists). Restore into an abstract target built from the template.")
        expect(report["same_structure"] is True,
               f"{call} returned a TrainState whose tree structure differs from the template's (its opt_state holds "
               f"{report['opt_state_types']}, expected {ref.report[name]['opt_state_types']}). Restore into an "
               "abstract target built from the template.")
        expect(report["template_functions"] is True,
               f"{call} returned a TrainState whose apply_fn or tx is not the template's.")
        expect_match(report["dtypes"], ref.report[name]["dtypes"], call=f"The dtypes of the leaves {call} returned",
                     hint="restore into the template's shapes and dtypes (the key stays a typed PRNG key).")


def _which_step(leaves, ref) -> str | None:
    for other in ("latest", "earliest", "middle"):
        if tree_problem(leaves, ref.out[other], rtol=0, atol=0) is None:
            return other
    return None


@pytest.mark.task("checkpointing.restore_state")
def test_restore_state_values(run):
    """Rejects: ignoring `step` (always the latest), restoring the first checkpoint when step is None, restoring
    only the params into the template (its optimizer state, step, statistics or key kept), returning the
    template."""
    got, ref = run(probes.restore_state_round_trip)
    steps = ref.given["steps"]
    at = {"latest": steps[-1], "earliest": steps[0], "middle": steps[1]}
    for name, text in RESTORE_CALLS.items():
        call = text.format(*steps)
        other = _which_step(got.out[name], ref)
        expect(other in (None, name),
               f"{call} returned the state saved at step {at[other] if other else None}, not the one at step "
               f"{at[name]}" + (": with step None, restore mngr.latest_step()." if name == "latest" else "."))
        expect_match(got.out[name], ref.out[name], rtol=0, atol=0, exact_dtype=True,
                     call=f"{call} on checkpoints at steps {steps}, compared leaf by leaf with the saved state",
                     hint="every array of the saved state comes back as it was saved; nothing is kept from the "
                          "template but its structure, apply_fn and tx.")


# ------------------------------------------------------------------------------------------ save_with_metadata
@pytest.mark.task("checkpointing.save_with_metadata")
def test_save_with_metadata_items(run):
    """Rejects: the metadata saved with StandardSave (not JSON), other item names, only the state saved, the
    metadata changed or stored as a JSON string, only part of the state saved."""
    got, ref = run(probes.metadata_round_trip)
    for step, entry in got.read["checkpoints"].items():
        problem = _unreadable(entry["state"], "item 'state'", step, ["meta", "state"])
        expect(problem is None, f"Restoring what save_with_metadata wrote (in a separate process): {problem}.")
        meta = entry["meta"]
        expect(type(meta) is not dict or "error" not in meta,
               f"Reading the item 'meta' of checkpoint {step} with ocp.args.JsonRestore() failed "
               f"({meta.get('error') if type(meta) is dict else meta}): save the metadata dict with "
               "ocp.args.JsonSave(metadata).")
    steps = ref.given["steps"]
    expect_match(got.read, ref.read,
                 call=f"The checkpoints on disk after save_with_metadata at steps {steps}, read back by a separate "
                      "process as Composite(state=StandardRestore(...), meta=JsonRestore())",
                 hint="one checkpoint per call, with the items 'state' (the whole TrainState) and 'meta' (the "
                      "metadata dict itself, as JSON).")


@pytest.mark.task("checkpointing.save_with_metadata")
def test_save_with_metadata_waits(run):
    """Rejects: returning while the asynchronous save is still running."""
    got, ref = run(probes.metadata_round_trip)
    pending = [s for s, busy in zip(ref.given["steps"], got.report["in_progress"]) if busy is not False]
    expect(pending == [] and len(got.report["in_progress"]) == 2,
           f"When save_with_metadata returned, the save of checkpoint(s) {pending} was still in progress. Orbax "
           "saves in a background thread: call mngr.wait_until_finished() before returning.")


# ------------------------------------------------------------------------------------------ make_best_manager
@pytest.mark.task("checkpointing.make_best_manager")
def test_best_manager_keeps_the_best(run):
    """Rejects: no best_fn (the latest are kept), best_mode='min' for a score (the worst are kept), ignoring
    `keep` (every checkpoint kept), a hard-coded metric name, ranking by another metric."""
    got, ref = run(probes.best_manager_retention)
    for name, r in zip(probes.BEST_RUNS, ref.given["runs"]):
        steps, scores, keep = r["steps"], r["scores"], r["keep"]
        ranked = sorted(range(len(steps)), key=lambda i: -scores[i])
        kept = got.read[name]["steps"]
        call = (f"make_best_manager(directory, keep={keep}, metric={r['metric']!r}), then saving steps {steps} with "
                f"{r['metric']} = {[round(s, 3) for s in scores]} (and other metrics)")
        expect(kept != sorted(steps[-keep:]), f"{call}: the manager kept the latest checkpoints {kept}, not the best "
                                              "ones: pass a best_fn that reads the metric.")
        expect(kept != sorted(steps[i] for i in ranked[-keep:]),
               f"{call}: the manager kept the checkpoints with the lowest {r['metric']} {kept}: higher is better here.")
        expect_match(got.read[name], ref.read[name], atol=0, rtol=0,
                     call=f"{call}: the checkpoints on disk (read back by a separate process)",
                     hint="max_to_keep=keep with best_fn returning metrics[metric], highest best.")
        expect_match(got.out[name], ref.out[name], call=f"{call}: all_steps() and best_step()",
                     hint="best_step() is the step with the highest metric.")


# ------------------------------------------------------------------------------------------ train_with_checkpoints
def _call(plan, settings=None, extra: str = "") -> str:
    settings = settings or plan
    return (f"train_with_checkpoints(mngr, state, data, {settings['start']}, num_steps={settings['num_steps']}, "
            f"batch_size={settings['batch_size']}, save_every={settings['save_every']}, train_step=...{extra}) on "
            f"{plan['n']} examples, from a state at step {settings['first_step']}")


def _calls(plan) -> dict:
    """What each call of the probe was, in words."""
    stopped = _call(plan, extra=f", stop_after={plan['stop_after']}")
    return {"straight": f"{_call(plan)} on an empty manager", "stopped": f"{stopped} on an empty manager",
            "resumed": f"the same call without stop_after, after {stopped} (latest checkpoint: step "
                       f"{plan['resume_from']})",
            "restarted": "the same call once more on the finished uninterrupted run's manager (latest checkpoint: "
                         "step num_steps)",
            "other": f"{_call(plan, plan['other'])} on an empty manager"}


FOLDERS = {"straight": "the uninterrupted run", "crashed": "the stopped and resumed calls", "other": "the other run"}


@pytest.mark.task("checkpointing.train_with_checkpoints")
def test_saves_at_the_right_steps_and_waits(run):
    """Rejects: saving at other steps than the multiples of save_every (every step, counting this call's own
    steps, a final extra save); returning with a save still in progress."""
    got, ref = run(probes.resume_bit_for_bit)
    plan = ref.given
    found, expected = got.report["steps_on_disk"], ref.report["steps_on_disk"]
    for folder, what in FOLDERS.items():
        settings = plan["other"] if folder == "other" else plan
        expect(found[folder] == expected[folder],
               f"After {what} ({_call(plan, settings)}) the checkpoints on disk are at steps {found[folder]}, "
               f"expected {expected[folder]}: save exactly when the step a train step reaches is a multiple of "
               f"save_every={settings['save_every']}.")
    pending = [name for name, busy in got.report["in_progress"].items() if busy is not False]
    expect(pending == [], f"train_with_checkpoints returned with a save still in progress ({', '.join(pending)} "
                          "call): call mngr.wait_until_finished() before returning.")


@pytest.mark.task("checkpointing.train_with_checkpoints")
def test_train_steps(run):
    """Rejects: resuming from an earlier checkpoint than the latest (steps done twice), training num_steps more
    steps after a restore, ignoring stop_after, not calling the train_step given."""
    got, ref = run(probes.resume_bit_for_bit)
    expected = ref.report["train_steps"]
    for name, text in _calls(ref.given).items():
        count = got.report["train_steps"][name]
        expect(count == expected[name],
               f"In {text}, the train_step that was passed in ran {count} times, expected {expected[name]}"
               + (": call the train_step argument, not the lesson's function." if count == 0 and expected[name]
                  else ": continue from the latest checkpoint's step up to num_steps."))


@pytest.mark.task("checkpointing.train_with_checkpoints")
def test_checkpoints_hold_state_and_loader(run):
    """Rejects: a checkpoint without the item 'loader' or 'state', a state item missing the key or another
    field, a loader item without the epoch, saving the state before the train step."""
    got, ref = run(probes.resume_bit_for_bit)
    for folder, what in FOLDERS.items():
        for step, entry in got.read[folder]["checkpoints"].items():
            problem = _unreadable(entry["state"], "item 'state'", step, ["loader", "state"])
            expect(problem is None, f"Restoring the checkpoints of {what} (in a separate process): {problem}.")
            loader = entry["loader"]
            expect(type(loader) is not dict or "error" not in loader,
                   f"Reading the item 'loader' of checkpoint {step} of {what} with JsonRestore failed "
                   f"({loader.get('error') if type(loader) is dict else loader}).")
        expect_match(got.read[folder], ref.read[folder], exact_dtype=True,
                     call=f"The checkpoints on disk after {what}, read back by a separate process",
                     hint="whenever int(state.step) is a multiple of save_every after a train step, save "
                          "Composite(state=StandardSave(state), loader=JsonSave(loader)) as that step.")


@pytest.mark.task("checkpointing.train_with_checkpoints")
def test_resume_is_bit_identical(run):
    """Rejects: not saving (or not restoring) the PRNG key, the batch statistics, the optimizer state or the
    loader position (the epoch included); starting over instead of from the latest checkpoint; calling the
    lesson's train_step instead of the one given; ignoring the loader or the step it starts from."""
    got, ref = run(probes.resume_bit_for_bit)
    for name, call in _calls(ref.given).items():
        expect_match(got.out[name], ref.out[name], exact_dtype=True, call=f"The (state, loader) returned by {call}",
                     hint="checkpoint everything the rest of the run depends on (the whole state, its PRNG key "
                          "included, and the loader position, epoch included) and restore both before continuing.")
    resumed, straight = got.out["resumed"]["state"], got.out["straight"]["state"]
    expect(tree_problem(resumed, straight, rtol=0, atol=0) is None,
           f"The resumed run's final state is not bit-identical to the uninterrupted run's "
           f"({tree_problem(resumed, straight, rtol=0, atol=0)}).")
