"""The build side: every student-facing file generated from the masters (solutions/) and the registry.

`render.build` writes them; `master` reads the masters. Importing this package imports neither: the grader
and the self-check read the masters without nbformat, whose import costs more than a second."""
