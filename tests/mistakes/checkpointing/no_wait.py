"""Returns as soon as the asynchronous save has started: a reader may find nothing."""
TASK = "checkpointing.save_state"
EXPECT = "before the checkpoint was written"


def save_state(mngr, step, state):
    if step in mngr.all_steps():
        raise ValueError(f"checkpoint {step} already exists")
    mngr.save(step, args=ocp.args.StandardSave(state))
