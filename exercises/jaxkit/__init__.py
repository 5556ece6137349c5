# Generated from autograder/build/render.py (sha256 cf0c97487bb7) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""jaxkit: the student command of JAX Foundations. Run `python -m jaxkit --help` inside the exercises folder."""
