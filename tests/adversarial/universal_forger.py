"""Issue 10: implements nothing; at import rewrites the code of every probe, of run_probe and of the encoder
it can find, so that every probe "succeeds" with invented outputs and the best possible reports."""
BASE = "exercises"
SCORE = 0
FORMS = ("py", "ipynb")
# ---- attack
import gc as _gc
import sys as _sys


def _forged(*args, **kwargs):
    return {"out": {"values": 0.0}, "report": {"changed_globals": [], "input_state_intact": True, "traces": 1,
                                                 "uses_while_loop": True, "program_grows_with_T": False,
                                                 "is_jitted": True, "key_reuse_error": None}, "given": {}}


def _forged_run(*args, **kwargs):
    return {"ok": True, "data": _forged()}


for _name, _module in list(_sys.modules.items()):
    if _name.startswith("autograder.sandbox.probes.") and _module is not None:
        for _value in list(vars(_module).values()):
            if callable(_value) and getattr(_value, "__module__", "") == _name and hasattr(_value, "__code__"):
                _value.__code__ = _forged.__code__
for _object in _gc.get_objects():
    if callable(_object) and getattr(_object, "__name__", "") == "run_probe" and hasattr(_object, "__code__"):
        _object.__code__ = _forged_run.__code__
