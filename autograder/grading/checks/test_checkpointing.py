"""Hidden checks for topic `checkpointing`.

Each probe runs in a fresh temporary directory that it removes afterwards. The oracle is an Orbax round trip
done by trusted code (and, for resuming, the uninterrupted run). Docstrings list the classic mistakes each
check rejects.
"""
import pytest

from autograder.compare import expect, expect_match
from autograder.sandbox.probes import checkpointing as probes


@pytest.mark.task("checkpointing.make_manager")
def test_make_manager_absolute_path(run):
    """Rejects: passing a relative directory to Orbax (the save fails in the background thread)."""
    got, _ = run(probes.manager_relative_path_and_retention)
    expect(got["error"] is None and got["absolute"] is True,
           "make_manager('runs/ckpt', ...) gave a manager on a relative path, and saving into it failed at "
           f"wait_until_finished() with {got['error']}. Orbax needs an absolute directory: pass "
           "os.path.abspath(directory).")
    expect(bool(got["on_disk"]), "No checkpoint directories appeared under the working directory's runs/ckpt: make "
                                 "the path absolute relative to the current working directory (os.path.abspath).")


@pytest.mark.task("checkpointing.make_manager")
def test_make_manager_retention(run):
    """Rejects: ignoring max_to_keep (every checkpoint kept), save_interval_steps instead of max_to_keep."""
    got, _ = run(probes.manager_relative_path_and_retention)
    expect(got["error"] is None, f"Saving with the manager from make_manager failed: {got['error']}.")
    expect_match({"all_steps": got["steps"], "on_disk": got["on_disk"]},
                 {"all_steps": got["expected_steps"], "on_disk": got["expected_steps"]},
                 call=f"Saving steps 0..{got['expected_steps'][-1]} with make_manager(directory, max_to_keep="
                      f"{got['keep']}) and waiting",
                 hint="ocp.CheckpointManagerOptions(max_to_keep=max_to_keep) keeps only the latest checkpoints.")


@pytest.mark.task("checkpointing.save_state")
def test_save_state_waits(run):
    """Rejects: returning while the asynchronous save is still running (reading before the save finished)."""
    got, _ = run(probes.save_state_behaviour)
    expect(got["waited"] is True and got["in_progress_after_return"] is False,
           "save_state returned before the checkpoint was written (the save was still in progress, or "
           "wait_until_finished was never called after save). Orbax saves asynchronously: call "
           "mngr.wait_until_finished() before returning, or a reader may find nothing.")
    expect(got["visible_to_new_manager"] is True,
           "Right after save_state returned, a new CheckpointManager on the same directory did not see the step: "
           "wait for the save to finish.")


@pytest.mark.task("checkpointing.save_state")
def test_save_state_saves_everything(run):
    """Rejects: saving only the params (or a dict without the key, step, batch_stats or optimizer state)."""
    got, _ = run(probes.save_state_behaviour)
    expect(got["first_difference"] is None,
           f"Restoring what save_state wrote gives a different value at leaf {got['first_difference']}: save the "
           "whole TrainState with ocp.args.StandardSave(state).")


@pytest.mark.task("checkpointing.save_state")
def test_save_state_refuses_an_existing_step(run):
    """Rejects: calling mngr.save on a step that already exists (Orbax returns False and writes nothing)."""
    got, _ = run(probes.save_state_behaviour)
    expect(got["duplicate_error"] is not None,
           "Saving a step that already exists did not raise ValueError: Orbax silently skips it (save returns "
           "False), so the new state would be lost without a word. Check `step in mngr.all_steps()` first.")
    expect(got["first_save_kept"] is True, "After the refused second save, the checkpoint no longer holds the first "
                                           "state: do not delete or overwrite the existing step.")


@pytest.mark.task("checkpointing.restore_state")
def test_restore_state_into_target(run):
    """Rejects: restoring without a target (plain dicts, opt_state as a list), ignoring `step`, ignoring the
    latest step."""
    got, _ = run(probes.restore_state_round_trip)
    expect(got["is_state"] is True,
           f"restore_state returned a {got['type']}, not the template's TrainState: restoring without a target "
           "gives plain dicts and lists. Pass ocp.args.StandardRestore(jax.tree.map(ocp.utils.to_shape_dtype_struct, "
           "template)).")
    expect(got["same_structure"] is True and got["optax_types"] == ["ScaleByAdamState", "EmptyState"],
           f"The restored opt_state holds {got['optax_types']}, not Optax's state objects: restore into an abstract "
           "target built from the template.")
    expect(got["latest_difference"] is None,
           f"restore_state(mngr, template) differs from the latest saved state at leaf {got['latest_difference']}: "
           "with step=None restore mngr.latest_step().")
    expect(got["chosen_difference"] is None,
           f"restore_state(mngr, template, step) differs from the state saved at that step at leaf "
           f"{got['chosen_difference']}.")
    expect(got["step_after_restore_difference"] is None,
           f"One train step on the restored state differs from one on the saved state at leaf "
           f"{got['step_after_restore_difference']}.")


@pytest.mark.task("checkpointing.save_with_metadata")
def test_save_with_metadata_composite(run):
    """Rejects: metadata saved with StandardSave (not JSON), other item names, only the state saved, no wait."""
    got, _ = run(probes.metadata_round_trip)
    expect(got["restore_error"] is None,
           "Reading the checkpoint as Composite(state=StandardRestore(...), meta=JsonRestore()) failed with "
           f"{got['restore_error']}. Save ocp.args.Composite(state=ocp.args.StandardSave(state), "
           "meta=ocp.args.JsonSave(metadata)).")
    expect(got["in_progress_after_return"] is False,
           "save_with_metadata returned while the save was still in progress: call mngr.wait_until_finished().")
    expect_match(got["meta"], got["expected_meta"], call="The 'meta' item restored with JsonRestore",
                 hint="save the metadata dict itself with ocp.args.JsonSave(metadata).")
    expect(got["state_difference"] is None,
           f"The restored 'state' item differs from the saved state at leaf {got['state_difference']}.")


@pytest.mark.task("checkpointing.make_best_manager")
def test_best_manager_keeps_the_best(run):
    """Rejects: no best_fn (keeps the latest), best_mode='min' for an accuracy, a relative directory."""
    got, _ = run(probes.best_manager_retention)
    expect(got["steps"] != got["latest_steps"] or got["steps"] == got["expected_steps"],
           f"The manager kept the latest checkpoints {got['steps']} instead of the best ones {got['expected_steps']}: "
           "pass best_fn=lambda metrics: metrics[metric] in CheckpointManagerOptions.")
    expect_match({"kept": got["steps"], "best_step": got["best"]},
                 {"kept": got["expected_steps"], "best_step": got["expected_best"]},
                 call=f"Saving 7 steps with accuracies {[round(a, 3) for a in got['accuracies']]} and keep={got['keep']}",
                 hint="best_mode='max': a higher accuracy is better.")


@pytest.mark.task("checkpointing.train_with_checkpoints")
def test_resume_is_bit_identical(run):
    """Rejects: not saving the PRNG key or the data position (the resumed run diverges), restarting from
    scratch instead of the latest checkpoint, saving at the wrong steps, not waiting for the last save."""
    got, ref = run(probes.resume_bit_for_bit)
    expect(got["stopped_at"] == ref["stopped_at"],
           f"With stop_after={ref['stopped_at']} the first call stopped at step {got['stopped_at']}, expected "
           f"{ref['stopped_at']}.")
    expect(got["pending_after_return"] is False,
           "train_with_checkpoints returned with a save still in progress: call mngr.wait_until_finished() at the end.")
    expect(got["difference"] is None,
           f"The resumed run differs from the uninterrupted run at leaf {got['difference']} (np.array_equal on "
           "every leaf). Checkpoint everything the rest of the run depends on: the whole state, its PRNG key "
           "included, and the loader position (as JSON), and restore both before continuing.")
    expect_match({"resumed_steps": got["resumed_steps"], "straight_steps": got["straight_steps"]},
                 {"resumed_steps": ref["resumed_steps"], "straight_steps": ref["straight_steps"]},
                 call="The checkpoints on disk after the runs (num_steps=16, save_every=3)",
                 hint="save checkpoint int(state.step) whenever it is a multiple of save_every.")
    expect_match({"loader": got["loader"], "final": got["final"]}, {"loader": ref["loader"], "final": ref["final"]},
                 call="The final loader position and state of the uninterrupted run",
                 hint="next_batch then train_step, num_steps - start steps in all.")
