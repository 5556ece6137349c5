"""force=True: Orbax raises for an existing step, but writes an earlier one out of order."""
TASK = "checkpointing.save_state"
EXPECT = "did not raise ValueError"


def save_state(mngr, step, state):
    mngr.save(step, args=ocp.args.StandardSave(state), force=True)
    mngr.wait_until_finished()
