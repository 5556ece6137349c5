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
    # Claim the import finished, then answer every probe with an empty success, in the child's own format.
    _os.write(_fd, (_json.dumps({"event": "imported", "topic": "gotchas"}) + "\n").encode())
    for _item in _job["items"]:
        _os.write(_fd, (_json.dumps({"event": "result", "key": _item["key"],
                                     "outcome": {"ok": True, "data": {"out": {}, "report": {}}}}) + "\n").encode())
except Exception:
    pass
