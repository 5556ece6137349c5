"""JAX Foundations autograder: builds student material from the masters and grades submissions.

Trusted side (never imports student code): registry, build, compare, checks/ (verdicts).
Sandboxable side (runs student code, returns plain data only): probing, probes/.
"""
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent
