"""Compares with latest_step() without minding that an empty manager has none."""
TASK = "checkpointing.save_state"
EXPECT = "TypeError"


def save_state(mngr, step, state):
    if step <= mngr.latest_step():
        raise ValueError(f"checkpoint {step} would be skipped")
    mngr.save(step, args=ocp.args.StandardSave(state))
    mngr.wait_until_finished()
