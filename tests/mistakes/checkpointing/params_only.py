"""Only the params are saved: optimizer state, step, statistics and key are lost."""
TASK = "checkpointing.save_state"
EXPECT = "save the whole TrainState"


def save_state(mngr, step, state):
    if step in mngr.all_steps():
        raise ValueError(f"checkpoint {step} already exists")
    mngr.save(step, args=ocp.args.StandardSave({"params": state.params}))
    mngr.wait_until_finished()
