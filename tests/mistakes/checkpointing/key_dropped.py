"""Saves the arrays that "matter" as a dict, without the PRNG key."""
TASK = "checkpointing.save_state"
EXPECT = "missing ['key']"


def save_state(mngr, step, state):
    latest = mngr.latest_step()
    if latest is not None and step <= latest:
        raise ValueError(f"checkpoint {step} would be skipped")
    arrays = {"params": state.params, "opt_state": state.opt_state, "batch_stats": state.batch_stats,
              "step": state.step}
    mngr.save(step, args=ocp.args.StandardSave(arrays))
    mngr.wait_until_finished()
