"""Probes: trusted code that calls student functions and returns plain data (see autograder/sandbox/probing.py)."""
