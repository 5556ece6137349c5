"""Row 5: a lying ndarray subclass that claims equality with anything."""
BASE = "exercises"
SCORE = 0
FORMS = ("py",)
# ---- attack
import numpy as _np


class _Liar(_np.ndarray):
    def __eq__(self, other):
        return _np.ones(_np.shape(other), bool).view(_np.ndarray)


def one_hot(labels, num_classes):
    return _np.zeros((len(labels), num_classes), _np.float32).view(_Liar)
