"""Saves the arrays that "matter" but not the PRNG key: the resumed run draws other dropout masks."""
TASK = "checkpointing.train_with_checkpoints"
EXPECT = "missing ['key']"


def train_with_checkpoints(mngr, state, data, loader, *, num_steps, batch_size, save_every, train_step,
                           stop_after=None):
    def arrays(s):
        return {"params": s.params, "opt_state": s.opt_state, "batch_stats": s.batch_stats, "step": s.step}

    latest = mngr.latest_step()
    if latest is not None:
        target = jax.tree.map(ocp.utils.to_shape_dtype_struct, arrays(state))
        restored = mngr.restore(latest, args=ocp.args.Composite(state=ocp.args.StandardRestore(target),
                                                                loader=ocp.args.JsonRestore()))
        state, loader = state.replace(**restored.state), restored.loader
    done = 0
    while int(state.step) < num_steps and (stop_after is None or done < stop_after):
        batch, loader = next_batch(data, loader, batch_size)
        state, _ = train_step(state, batch)
        done += 1
        if int(state.step) % save_every == 0:
            mngr.save(int(state.step), args=ocp.args.Composite(state=ocp.args.StandardSave(arrays(state)),
                                                               loader=ocp.args.JsonSave(loader)))
    mngr.wait_until_finished()
    return state, loader
