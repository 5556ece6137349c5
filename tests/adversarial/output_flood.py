"""Row 16: flooding stdout and stderr inside a correct task."""
BASE = "solutions"
SCORE = 17
FORMS = ("py",)
# ---- attack
import sys as _sys

_reference_one_hot = one_hot


def one_hot(labels, num_classes):
    try:
        for _ in range(200):
            _sys.stdout.write("x" * (1 << 20))
            _sys.stderr.write("y" * (1 << 20))
    except OSError:
        pass
    return _reference_one_hot(labels, num_classes)
