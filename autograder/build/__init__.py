"""The build side: every student-facing file generated from the masters (solutions/) and the registry."""
from .render import build  # noqa: F401
