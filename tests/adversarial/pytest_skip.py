"""Row 4: pytest.skip() inside a task, hoping a skip is not a failure."""
BASE = "solutions"
SCORE = 16
FORMS = ("py",)
# ---- attack
def make_one_hot():
    import pytest
    pytest.skip("nothing to see")
