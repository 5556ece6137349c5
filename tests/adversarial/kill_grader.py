"""Row 18: killing the parent, PID 1 and every process it can signal, at import. Inside the sandbox the
child's own uid owns nothing else, so the attack achieves nothing: the grader lives on and the honest
(reference) code earns full marks."""
BASE = "solutions"
SCORE = 17
FORMS = ("py",)
SANDBOX_ONLY = True
# ---- attack
import os as _os
import signal as _signal
for _target in (_os.getppid(), 1, -1):
    try:
        _os.kill(_target, _signal.SIGKILL)
    except OSError:
        pass
