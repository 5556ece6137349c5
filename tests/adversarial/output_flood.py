"""Row 16: flooding stdout and stderr inside a correct task."""
BASE = "solutions"
SCORE = 17
FORMS = ("py",)
# ---- attack
import sys as _sys

_reference_ema = ema


def ema(xs, decay):
    try:
        for _ in range(200):
            _sys.stdout.write("x" * (1 << 20))
            _sys.stderr.write("y" * (1 << 20))
    except OSError:
        pass
    return _reference_ema(xs, decay)
