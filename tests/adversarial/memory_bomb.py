"""Row 14: allocating far more memory than the limit, in one task."""
BASE = "solutions"
SCORE = 15
FORMS = ("py",)
# ---- attack
def soft_clip(x):
    hoard = []
    while True:
        hoard.append(bytearray(1 << 28))
