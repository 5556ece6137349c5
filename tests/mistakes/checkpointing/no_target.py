"""Restoring without a target: plain dicts and lists come back instead of a TrainState."""
TASK = "checkpointing.restore_state"
EXPECT = "not a TrainState of the template's class"


def restore_state(mngr, template, step=None):
    return mngr.restore(mngr.latest_step() if step is None else step)
