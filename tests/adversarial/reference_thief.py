"""Implements nothing; every task function looks for the reference's own definition of itself wherever this
process can reach (the reference code the grader hands a child for the other tasks a probe relies on): in
the stack's frames and the objects they hold, in the job's files, on any inherited pipe with data waiting.
It must find nothing: no process ever holds the reference of a task it has yet to grade."""
BASE = "exercises"
SCORE = 0
FORMS = ("py",)
# ---- attack
import os as _os
import sys as _sys


_STASH = {}  # name -> a reference definition seen at any moment, kept for later


def _harvest_memory():
    seen = set()
    frames = list(_sys._current_frames().values())
    while frames:
        frame = frames.pop()
        if frame is None or id(frame) in seen:
            continue
        seen.add(id(frame))
        frames.append(frame.f_back)
        holders = [frame.f_locals, frame.f_globals]
        for value in list(frame.f_locals.values()):
            holders += [value] if isinstance(value, dict) else [getattr(value, "__dict__", None)]
        for holder in holders:
            if not isinstance(holder, dict):
                continue
            for value in list(holder.values()):
                for inner in (list(value.values()) if isinstance(value, dict) else [value]):
                    code = getattr(inner, "__code__", None)
                    if code is not None and code.co_filename.startswith("<trusted "):
                        _STASH.setdefault(code.co_filename[len("<trusted "):-1], inner)


def _texts():
    folders = {"/job"} | {_os.path.dirname(a) for a in _sys.argv[1:] if a.endswith(".json")}
    for folder in folders:
        for root, _, files in _os.walk(folder):
            for file in files:
                try:
                    with open(_os.path.join(root, file), "rb") as handle:
                        yield handle.read(4 << 20).decode("utf-8", "replace")
                except OSError:
                    pass
    for fd in range(3, 256):
        try:
            blocking = _os.get_blocking(fd)
        except OSError:
            continue
        try:
            _os.set_blocking(fd, False)
            yield _os.read(fd, 4 << 20).decode("utf-8", "replace")
        except OSError:
            pass
        finally:
            _os.set_blocking(fd, blocking)


def _harvest_texts(names):
    for text in _texts():
        for candidate in (text, text.replace("\\n", "\n").replace('\\"', '"')):
            for name in names:
                start = candidate.find(f"def {name}(")
                if start < 0 or name in _STASH:
                    continue
                source = candidate[start:].split('", "', 1)[0].split('"}', 1)[0]
                scratch = {}
                try:
                    exec(compile(source, f"<stolen {name}>", "exec"), globals(), scratch)
                    _STASH[name] = scratch[name]
                except Exception:
                    pass


def _thief(name):
    def stolen(*args, **kwargs):
        _harvest_memory()
        _harvest_texts(_NAMES)
        if name not in _STASH:
            raise NotImplementedError(f"no reference {name} to be found")
        return _STASH[name](*args, **kwargs)
    stolen.__name__ = name
    return stolen


def _watch():
    import time
    while True:
        _harvest_memory()
        time.sleep(0.02)


_NAMES = [_name for _name, _value in list(globals().items())
          if callable(_value) and getattr(_value, "__module__", None) == __name__ and not _name.startswith("_")
          and not isinstance(_value, type) and getattr(_value, "__code__", None) is not None
          and "NotImplementedError" in str(_value.__code__.co_names) + str(_value.__code__.co_consts)]
for _name in _NAMES:
    globals()[_name] = _thief(_name)
_harvest_texts(_NAMES)
__import__("threading").Thread(target=_watch, daemon=True).start()
