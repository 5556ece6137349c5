"""Issue 10: a line nested 200,000 deep on the data pipe, inside one task: that check fails, the rest is graded."""
BASE = "solutions"
SCORE = 15
FORMS = ("py",)
# ---- attack
def safe_take(x, idx, fill):
    import os
    import sys
    os.write(int(sys.argv[2]), b"[" * 200000 + b"]" * 200000 + b"\n")
    return x
