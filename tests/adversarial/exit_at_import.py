"""Row 1: sys.exit(0) while the module is imported."""
BASE = "solutions"
SCORE = 0
FORMS = ("py", "ipynb")
# ---- attack
import sys
sys.exit(0)
