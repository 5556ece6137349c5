"""The trusted side: plans probes, computes the reference's data, runs children, judges, writes grades.

Nothing here imports student code; what a child sends is parsed as data (autograder/sandbox/wire.py).
"""
