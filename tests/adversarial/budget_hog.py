"""Issue 10: every task sleeps 12 s per call, under the probe timeout: the topic's time budget stops it, each
probe that did not finish fails with the budget named, and the student costs no more than the budget."""
BASE = "exercises"
SCORE = 0
FORMS = ("py",)
# ---- attack
import time as _time


def _slow(*args, **kwargs):
    _time.sleep(12)
    raise NotImplementedError()


running_mean_step = swap_rows = bincount = safe_take = weighted_average = dropout_masks = soft_clip = _slow
collatz_steps = ema = make_one_hot = _slow
