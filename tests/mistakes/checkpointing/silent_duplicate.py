"""Saves without checking: a step that already exists is silently skipped by Orbax."""
TASK = "checkpointing.save_state"
EXPECT = "did not raise ValueError"


def save_state(mngr, step, state):
    mngr.save(step, args=ocp.args.StandardSave(state))
    mngr.wait_until_finished()
