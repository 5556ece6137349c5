"""Issue 10: records whose key is a list, a number or missing, on the data pipe inside one task."""
BASE = "solutions"
SCORE = 15
FORMS = ("py",)
# ---- attack
def bincount(idx, length):
    import json
    import os
    import sys
    fd = int(sys.argv[2])
    for record in ({"event": "result", "key": ["0"], "outcome": {}}, {"event": "result", "key": 3},
                   {"event": ["result"]}, {"event": "result", "key": "0", "outcome": {"ok": True}, "extra": 1}):
        os.write(fd, (json.dumps(record) + "\n").encode())
    return jnp.zeros(length, jnp.int32)
