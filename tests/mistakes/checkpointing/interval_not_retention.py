"""save_interval_steps mistaken for retention: most saves are skipped, nothing is ever deleted."""
TASK = "checkpointing.make_manager"
EXPECT = "The checkpoints on disk"


def make_manager(directory, max_to_keep):
    options = ocp.CheckpointManagerOptions(save_interval_steps=max_to_keep)
    return ocp.CheckpointManager(os.path.abspath(directory), options=options)
