"""Correct-but-different solutions for topic `checkpointing`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/checkpointing.py).
"""
import pathlib
import time


def make_manager(directory, max_to_keep):
    # pathlib's resolve instead of os.path.abspath; options built separately, with a harmless extra option.
    options = ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=True)
    return ocp.CheckpointManager(pathlib.Path(directory).resolve(), options=options)


def save_state(mngr, step, state):
    # save's boolean answer tells whether it wrote anything; PyTreeSave writes what StandardSave would.
    if not mngr.save(step, args=ocp.args.PyTreeSave(state)):
        raise ValueError(f"Orbax did not save step {step}: it is not after {mngr.latest_step()}")
    mngr.wait_until_finished()


def restore_state(mngr, template, step=None):
    # eval_shape gives the abstract tree; restore(None, ...) restores the latest step by itself.
    abstract = jax.eval_shape(lambda: template)
    return mngr.restore(step, args=ocp.args.StandardRestore(abstract))


def save_with_metadata(mngr, step, state, metadata):
    items = {"meta": ocp.args.JsonSave(dict(metadata)), "state": ocp.args.StandardSave(state)}
    mngr.save(step, args=ocp.args.Composite(**items))
    while mngr.is_saving_in_progress():  # the same as wait_until_finished, by polling
        time.sleep(0.01)
    mngr.check_for_errors()


def make_best_manager(directory, keep, metric):
    # best_mode 'min' on the negated metric is the same ordering.
    options = ocp.CheckpointManagerOptions(max_to_keep=keep, best_fn=lambda m: -float(m[metric]), best_mode="min")
    return ocp.CheckpointManager(os.path.abspath(directory), options=options)


def train_with_checkpoints(mngr, state, data, loader, *, num_steps, batch_size, save_every, train_step,
                           stop_after=None):
    step = mngr.latest_step()
    if step is not None:
        target = jax.tree.map(ocp.utils.to_shape_dtype_struct, state)
        restored = mngr.restore(step, args=ocp.args.Composite(loader=ocp.args.JsonRestore(),
                                                              state=ocp.args.StandardRestore(target)))
        state, loader = restored["state"], dict(restored["loader"])
    budget = num_steps - int(state.step)
    if stop_after is not None:
        budget = min(budget, stop_after)
    for _ in range(max(budget, 0)):
        batch, loader = next_batch(data, loader, batch_size)
        state, _ = train_step(state, batch)
        if int(state.step) % save_every == 0:
            mngr.save(int(state.step), args=ocp.args.Composite(state=ocp.args.StandardSave(state),
                                                               loader=ocp.args.JsonSave(loader)))
            mngr.wait_until_finished()
    return state, loader
