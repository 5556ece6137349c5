"""Row 1: SystemExit(0) inside one task."""
BASE = "solutions"
SCORE = 15
FORMS = ("py",)
# ---- attack
def safe_take(x, idx, fill):
    raise SystemExit(0)
