"""Row 8: a numpy.py and jax.py beside the submission, shadowing the real packages."""
BASE = "exercises"
SCORE = 0
FORMS = ("py",)
FILES = {"numpy.py": "def allclose(*a, **k):\n    return True\n", "jax.py": "raise SystemExit(0)\n"}
# ---- attack
