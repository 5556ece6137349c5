"""The metadata serialised by hand: JsonSave stores a JSON string, not the dict."""
TASK = "checkpointing.save_with_metadata"
EXPECT = "The checkpoints on disk"
import json as _json


def save_with_metadata(mngr, step, state, metadata):
    mngr.save(step, args=ocp.args.Composite(state=ocp.args.StandardSave(state),
                                            meta=ocp.args.JsonSave({"json": _json.dumps(metadata)})))
    mngr.wait_until_finished()
