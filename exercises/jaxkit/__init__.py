# Generated from autograder/build/render.py (sha256 ad0a248bdf0d) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""jaxkit: the student command of JAX Foundations. Run `python -m jaxkit --help` inside the exercises folder."""
