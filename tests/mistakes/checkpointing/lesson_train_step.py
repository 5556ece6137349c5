"""Calls the lesson's train_step instead of the one passed in."""
TASK = "checkpointing.train_with_checkpoints"
EXPECT = "call the train_step argument"


def train_with_checkpoints(mngr, state, data, loader, *, num_steps, batch_size, save_every, train_step,
                           stop_after=None):
    step_fn = globals()["train_step"]
    latest = mngr.latest_step()
    if latest is not None:
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, state)
        restored = mngr.restore(latest, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract),
                                                                loader=ocp.args.JsonRestore()))
        state, loader = restored.state, restored.loader
    done = 0
    while int(state.step) < num_steps and (stop_after is None or done < stop_after):
        batch, loader = next_batch(data, loader, batch_size)
        state, _ = step_fn(state, batch)
        done += 1
        if int(state.step) % save_every == 0:
            mngr.save(int(state.step), args=ocp.args.Composite(state=ocp.args.StandardSave(state),
                                                               loader=ocp.args.JsonSave(loader)))
    mngr.wait_until_finished()
    return state, loader
