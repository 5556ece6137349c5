"""Row 13: a double-forked, setsid daemon that outlives the check (`sleep 4242`)."""
BASE = "solutions"
SCORE = 17
FORMS = ("py",)
SANDBOX_ONLY = True
# ---- attack
import os as _os
if _os.fork() == 0:
    _os.setsid()
    if _os.fork() == 0:
        _os.execv("/bin/sleep", ["sleep", "4242"])
    _os._exit(0)
