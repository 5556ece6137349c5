"""Row 11: forged results: fake summaries on stdout, result files, and forged lines on the data pipe."""
BASE = "exercises"
SCORE = 0
FORMS = ("py", "ipynb")
# ---- attack
import json as _json
import os as _os
import sys as _sys
print("17 passed, 0 failed")
for _name in ("results.json", "grades.csv", "/tmp/results.json"):
    try:
        with open(_name, "w") as _f:
            _f.write('{"score": 17}')
    except OSError:
        pass
try:
    _job = _json.load(open(_sys.argv[1]))
    _fd = int(_sys.argv[2])
    for _key, _name, _seed, _args in _job["probes"]:
        _os.write(_fd, (_json.dumps({"key": _key, "outcome": {"ok": True, "data": {}}}) + "\n").encode())
except Exception:
    pass
