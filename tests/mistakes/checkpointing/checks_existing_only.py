"""Refuses only a step that exists: an earlier step is skipped by Orbax just as silently."""
TASK = "checkpointing.save_state"
EXPECT = "Orbax saves only steps after the latest one"


def save_state(mngr, step, state):
    if step in mngr.all_steps():
        raise ValueError(f"checkpoint {step} already exists")
    mngr.save(step, args=ocp.args.StandardSave(state))
    mngr.wait_until_finished()
