"""Returns as soon as the asynchronous save has started: a reader may find nothing."""
TASK = "checkpointing.save_state"
EXPECT = "was still in progress"


def save_state(mngr, step, state):
    latest = mngr.latest_step()
    if latest is not None and step <= latest:
        raise ValueError(f"checkpoint {step} would be skipped")
    mngr.save(step, args=ocp.args.StandardSave(state))
