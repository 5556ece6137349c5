"""Row 2: os._exit(0) inside one task: the process vanishes mid-check."""
BASE = "solutions"
SCORE = 15
FORMS = ("py", "ipynb")
# ---- attack
def bincount(idx, length):
    import os
    os._exit(0)
