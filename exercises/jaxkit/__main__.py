# Generated from autograder/build/render.py (sha256 cf0c97487bb7) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""`python -m jaxkit`: the student command (see cli.py)."""
import sys

from .cli import main

sys.exit(main())
