"""Ranks by the loss that is recorded beside the score (highest loss kept)."""
TASK = "checkpointing.make_best_manager"
EXPECT = "higher is better here"


def make_best_manager(directory, keep, metric):
    options = ocp.CheckpointManagerOptions(max_to_keep=keep, best_fn=lambda m: m["loss"], best_mode="max")
    return ocp.CheckpointManager(os.path.abspath(directory), options=options)
