# Generated from autograder/build/render.py (sha256 ad0a248bdf0d) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""`python -m jaxkit`: the student command (see cli.py)."""
import sys

from .cli import main

sys.exit(main())
