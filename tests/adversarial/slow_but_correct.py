"""Row 22 (calibration): a correct but slow solution passes under the production limits."""
BASE = "solutions"
SCORE = 17
FORMS = ("py",)
# ---- attack
import time as _time

_reference_running_mean_step = running_mean_step


def running_mean_step(state, x):
    _time.sleep(0.5)
    return _reference_running_mean_step(state, x)
