"""Returns as soon as the asynchronous save has started."""
TASK = "checkpointing.save_with_metadata"
EXPECT = "was still in progress"


def save_with_metadata(mngr, step, state, metadata):
    mngr.save(step, args=ocp.args.Composite(state=ocp.args.StandardSave(state), meta=ocp.args.JsonSave(metadata)))
