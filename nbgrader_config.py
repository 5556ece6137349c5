# nbgrader configuration for the JAX Foundations course. Run nbgrader from this folder:
#   nbgrader generate_assignment gotchas --force
#   nbgrader autograde gotchas --create --force
#   nbgrader export
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

KIT_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "jax-foundations"
# nbgrader copies every file of source/<topic>/ into the release: only the notebook lives there.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".jax_cache"]

# The one stub text. `python -m autograder build` reads it from here for exercises/*.py too.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Any stderr output in a graded cell scores it 0 even when every assertion passed. JAX, XLA and
# Python warnings are harmless there; a failing check raises, which is an error output, not stderr.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(Warning:|^[WIE]\d{4} |absl::|XLA|xla_bridge|jax\.)"

# Hidden checks call into `autograder` from the autograding kernel: put the kit on its path.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (KIT_ROOT, os.environ.get("PYTHONPATH")) if p)
# Keep kernels quiet and CPU-only (the kit needs no GPU).
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
c.Execute.timeout = 300
