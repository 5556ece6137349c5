"""Numbers the checkpoint by the state's own step instead of the `step` argument."""
TASK = "checkpointing.save_state"
EXPECT = "The checkpoints on disk"


def save_state(mngr, step, state):
    latest = mngr.latest_step()
    if latest is not None and step <= latest:
        raise ValueError(f"checkpoint {step} would be skipped")
    mngr.save(int(state.step), args=ocp.args.StandardSave(state))
    mngr.wait_until_finished()
