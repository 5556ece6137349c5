"""Only the params go into the 'state' item."""
TASK = "checkpointing.save_with_metadata"
EXPECT = "holds only ['params']"


def save_with_metadata(mngr, step, state, metadata):
    mngr.save(step, args=ocp.args.Composite(state=ocp.args.StandardSave({"params": state.params}),
                                            meta=ocp.args.JsonSave(metadata)))
    mngr.wait_until_finished()
