"""Row 12 and 19: an infinite loop in one task, with time.monotonic and time.time frozen first."""
BASE = "solutions"
SCORE = 15
FORMS = ("py", "ipynb")
# ---- attack
def collatz_steps(n):
    import time
    time.monotonic = lambda: 0.0
    time.time = lambda: 0.0
    while True:
        pass
