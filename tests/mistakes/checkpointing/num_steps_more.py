"""Trains num_steps steps in every call, wherever the restored run stands."""
TASK = "checkpointing.train_with_checkpoints"
EXPECT = "continue from the latest checkpoint"


def train_with_checkpoints(mngr, state, data, loader, *, num_steps, batch_size, save_every, train_step,
                           stop_after=None):
    latest = mngr.latest_step()
    if latest is not None:
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, state)
        restored = mngr.restore(latest, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract),
                                                                loader=ocp.args.JsonRestore()))
        state, loader = restored.state, restored.loader
    for done in range(num_steps if stop_after is None else min(stop_after, num_steps)):
        batch, loader = next_batch(data, loader, batch_size)
        state, _ = train_step(state, batch)
        if int(state.step) % save_every == 0:
            mngr.save(int(state.step), args=ocp.args.Composite(state=ocp.args.StandardSave(state),
                                                               loader=ocp.args.JsonSave(loader)))
    mngr.wait_until_finished()
    return state, loader
