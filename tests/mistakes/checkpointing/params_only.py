"""Only the params are saved: optimizer state, step, statistics and key are lost."""
TASK = "checkpointing.save_state"
EXPECT = "holds only ['params']"


def save_state(mngr, step, state):
    latest = mngr.latest_step()
    if latest is not None and step <= latest:
        raise ValueError(f"checkpoint {step} would be skipped")
    mngr.save(step, args=ocp.args.StandardSave({"params": state.params}))
    mngr.wait_until_finished()
