"""max_to_keep forgotten: every checkpoint stays on disk."""
TASK = "checkpointing.make_manager"
EXPECT = "keeps only the latest checkpoints"


def make_manager(directory, max_to_keep):
    return ocp.CheckpointManager(os.path.abspath(directory))
