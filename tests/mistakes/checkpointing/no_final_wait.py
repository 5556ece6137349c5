"""Returns while the last save is still being written."""
TASK = "checkpointing.train_with_checkpoints"
EXPECT = "save still in progress"


def train_with_checkpoints(mngr, state, data, loader, *, num_steps, batch_size, save_every, train_step,
                           stop_after=None):
    latest = mngr.latest_step()
    if latest is not None:
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, state)
        restored = mngr.restore(latest, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract),
                                                                loader=ocp.args.JsonRestore()))
        state, loader = restored.state, restored.loader
    done = 0
    while int(state.step) < num_steps and (stop_after is None or done < stop_after):
        batch, loader = next_batch(data, loader, batch_size)
        state, _ = train_step(state, batch)
        done += 1
        if int(state.step) % save_every == 0:
            mngr.save(int(state.step), args=ocp.args.Composite(state=ocp.args.StandardSave(state),
                                                               loader=ocp.args.JsonSave(loader)))
    return state, loader
