"""Issue 10: exceptions whose messages carry every path the child can see (its file, cwd, sys.path,
the interpreter, the job): feedback shows neutral names only, never where the kit or the runtime lives."""
BASE = "solutions"
SCORE = 16
FORMS = ("py", "ipynb")
# ---- attack
def swap_rows(x, i, j):
    import os
    import sys
    raise RuntimeError(f"{__file__} {os.getcwd()} {sys.path} {sys.executable} {sys.argv} {sys.prefix}")
