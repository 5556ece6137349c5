# nbgrader configuration for the JAX Foundations course. Run nbgrader from this folder (README, "For instructors"):
#   nbgrader generate_assignment gotchas --force
#   nbgrader autograde gotchas --create --force
#   nbgrader generate_feedback gotchas --force
#   nbgrader export
import os
import sys

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

KIT_ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, KIT_ROOT)  # nbgrader imports the kit's preprocessors below

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds,  # noqa: E402
                                    GetGrades, OverwriteKernelspec)

from autograder.grading.nbgrader_hooks import ClearHiddenTestsFromOutputs, OverwriteCells  # noqa: E402

c.CourseDirectory.course_id = "jax-foundations"
# nbgrader copies every file of source/<topic>/ into the release: only the notebook lives there.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".jax_cache"]
# The gradebook: SQLite in the course root by default. For PostgreSQL (several graders, formgrader on a
# server), set NBGRADER_DB_URL, e.g. postgresql+psycopg://grader@127.0.0.1:5432/jaxkit (README).
if os.environ.get("NBGRADER_DB_URL"):
    c.CourseDirectory.db_url = os.environ["NBGRADER_DB_URL"]

# The one stub text. `python -m autograder build` reads it from here for exercises/*.py too.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Any stderr output in a graded cell scores it 0 even when every assertion passed. JAX, XLA and
# Python warnings are harmless there; a failing check raises, which is an error output, not stderr.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(Warning:|^[WIE]\d{4} |absl::|XLA|xla_bridge|jax\.)"

# Autograde: nbgrader's sanitizing steps, with the kit's OverwriteCells, which puts the hidden tests back into
# an untouched grade cell without nbgrader's false "Attribute 'checksum' ... has changed!" warning (one per
# grade cell per student); a grade cell a student really changed still warns. Same grades either way.
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
                                      CheckCellMetadata]

# Feedback goes to students: strip the hidden-test blocks from grade cells (nbgrader's ClearHiddenTests, which
# generate_feedback does not run by default: jupyter/nbgrader#917). A failed hidden check renders as its
# message alone (autograder/grading/notebook.py), and ClearHiddenTestsFromOutputs drops the lines of a failing
# visible test's traceback that quote the hidden block (IPython prints the lines around the failing one), so
# neither check code nor a grader path is shown.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTestsFromOutputs, ClearHiddenTests,
                                    CSSHTMLHeaderPreprocessor]

# Collecting from an LMS download: `nbgrader zip_collect <topic>` reads downloaded/<topic>/archive/ and takes
# the student and file from names like Canvas's `doeJane_12345_67890_gotchas.ipynb` (`_LATE_` allowed).
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.zipcollect.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = (  # matched against the extracted file's whole path
    r"^.*/(?P<student_id>[^/_]+)_(?:LATE_|late_)?\d+_\d+_(?P<file_id>[A-Za-z_]+)(?:-\d+)?\.ipynb$")

# Hidden checks call into `autograder` from the autograding kernel: put the kit on its path.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (KIT_ROOT, os.environ.get("PYTHONPATH")) if p)
# Keep kernels quiet and CPU-only (the kit needs no GPU).
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Timeouts for autograde and validate on a loaded machine (the Execute preprocessor serves both):
# a cell may run 5 minutes; a kernel may take 5 minutes to start; and after a cell finishes, its output may
# take up to 2 minutes to arrive. nbgrader's 4 s iopub default fails whole notebooks when the machine is busy
# (raise_on_iopub_timeout is on in nbgrader, so a late message is an error, never a silently lost output).
c.Execute.timeout = 300
c.Execute.startup_timeout = 300
c.Execute.iopub_timeout = 120
c.Execute.raise_on_iopub_timeout = True
c.Execute.interrupt_on_timeout = True
