"""Saves without checking: a step Orbax will not write is skipped without a word."""
TASK = "checkpointing.save_state"
EXPECT = "already holds step"


def save_state(mngr, step, state):
    mngr.save(step, args=ocp.args.StandardSave(state))
    mngr.wait_until_finished()
