"""JAX Foundations autograder: builds student material from the masters and grades submissions.

Trusted side (never imports student code): registry, build, compare, checks/ (verdicts).
Sandboxable side (runs student code, returns plain data only): probing, probes/.
"""
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent

# XLA's settings for every process of the kit that runs probes or tests (the grader, its sandboxed children, the
# self-check, the kit's test suite, the students' visible tests), set before JAX starts: 4 simulated CPU devices
# for the multi-device topics, and the CPU backend's LLVM optimisation turned down. Probe programs are small and
# run a few times each, so optimising their machine code cost most of their compile time and saved nothing
# (bench/README.md measures the difference).
XLA_FLAGS = ("--xla_force_host_platform_device_count=4 --xla_backend_optimization_level=0 "
             "--xla_llvm_disable_expensive_passes=true")
