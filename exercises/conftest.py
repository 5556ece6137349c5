# Generated from autograder/build/render.py (sha256 cf0c97487bb7) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""pytest setup for the exercises: CPU only, 4 simulated devices, a compile cache for fast re-runs, and the
student command's plugin (a plain sentence for a stub, a missing function or a syntax error; a summary)."""
import os
import sys

# XLA reads this once, before jax first runs: the pmap and sharding exercises need several (simulated) devices,
# and the tests' programs are small, so XLA compiles them without optimising hard (the loop after a save is faster).
os.environ.setdefault("XLA_FLAGS", '--xla_force_host_platform_device_count=4 --xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true')
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = os.path.dirname(os.path.abspath(__file__))
# Reusing compiled programs between runs makes the loop after each save much faster.
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", os.path.join(HERE, ".jax_cache"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
sys.path.insert(0, HERE)  # the tests import your <topic>.py files from this folder
pytest_plugins = ["jaxkit.pytest_plugin"]
