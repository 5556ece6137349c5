"""The metric name written into best_fn: any other name than 'accuracy' raises KeyError."""
TASK = "checkpointing.make_best_manager"
EXPECT = "KeyError"


def make_best_manager(directory, keep, metric):
    options = ocp.CheckpointManagerOptions(max_to_keep=keep, best_fn=lambda m: m["accuracy"], best_mode="max")
    return ocp.CheckpointManager(os.path.abspath(directory), options=options)
