"""Row 3: KeyboardInterrupt raised by a task."""
BASE = "solutions"
SCORE = 15
FORMS = ("py",)
# ---- attack
def ema(xs, decay):
    raise KeyboardInterrupt
