"""`make coverage`: for every hidden check of every topic, the mistakes in tests/mistakes/ that make it fail on
every grade seed in kit.SEEDS. A check that no mistake makes fail is listed first: it may be a check that cannot
fail. Exits 1 when there is one."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit import SEEDS, TOPICS  # noqa: E402
from test_both_ways import check_coverage  # noqa: E402


def main() -> int:
    topics = sys.argv[1:] or TOPICS
    idle = []
    with tempfile.TemporaryDirectory(prefix="jaxkit-coverage-") as folder:
        for topic in topics:
            print(f"## {topic} (seeds {', '.join(map(str, SEEDS))})")
            for check, caught in check_coverage(topic, Path(folder)).items():
                print(f"  {check}: {len(caught)} mistake(s)" + (f": {', '.join(caught)}" if caught else "  <-- none"))
                if not caught:
                    idle.append(f"{topic}: {check}")
    print("\nChecks no mistake makes fail on every seed:" if idle else "\nEvery check is made to fail by some mistake "
          "on every seed.")
    for line in idle:
        print(f"  {line}")
    return 1 if idle else 0


if __name__ == "__main__":
    sys.exit(main())
