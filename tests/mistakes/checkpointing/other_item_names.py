"""Item names of one's own choosing: a reader asking for 'state' and 'meta' finds neither."""
TASK = "checkpointing.save_with_metadata"
EXPECT = "holds the items"


def save_with_metadata(mngr, step, state, metadata):
    mngr.save(step, args=ocp.args.Composite(train_state=ocp.args.StandardSave(state),
                                            metadata=ocp.args.JsonSave(metadata)))
    mngr.wait_until_finished()
