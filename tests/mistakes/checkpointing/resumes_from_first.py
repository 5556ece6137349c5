"""Resumes from the first checkpoint on disk instead of the latest: steps are trained twice."""
TASK = "checkpointing.train_with_checkpoints"
EXPECT = "continue from the latest checkpoint"


def train_with_checkpoints(mngr, state, data, loader, *, num_steps, batch_size, save_every, train_step,
                           stop_after=None):
    steps = list(mngr.all_steps())
    if steps:
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, state)
        restored = mngr.restore(min(steps), args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract),
                                                                    loader=ocp.args.JsonRestore()))
        state, loader = restored.state, restored.loader
    done = 0
    while int(state.step) < num_steps and (stop_after is None or done < stop_after):
        batch, loader = next_batch(data, loader, batch_size)
        state, _ = train_step(state, batch)
        done += 1
        if int(state.step) % save_every == 0 and int(state.step) not in mngr.all_steps():
            mngr.save(int(state.step), args=ocp.args.Composite(state=ocp.args.StandardSave(state),
                                                               loader=ocp.args.JsonSave(loader)))
    mngr.wait_until_finished()
    return state, loader
