"""The metadata goes through StandardSave instead of JsonSave."""
TASK = "checkpointing.save_with_metadata"
EXPECT = "Unsupported type"


def save_with_metadata(mngr, step, state, metadata):
    mngr.save(step, args=ocp.args.Composite(state=ocp.args.StandardSave(state), meta=ocp.args.StandardSave(metadata)))
    mngr.wait_until_finished()
