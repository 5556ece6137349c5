"""Restores only the params into the template: its optimizer state, step, statistics and key stay fresh."""
TASK = "checkpointing.restore_state"
EXPECT = "compared leaf by leaf"


def restore_state(mngr, template, step=None):
    restored = mngr.restore(mngr.latest_step() if step is None else step)
    return template.replace(params=restored["params"])
