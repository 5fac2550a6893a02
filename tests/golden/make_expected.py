"""Regenerate (``--update``) or check the golden outputs in tests/golden/expected/.

    python3 tests/golden/make_expected.py            # check: list the cases that differ
    python3 tests/golden/make_expected.py --update   # rewrite expected/ from today's code

Runs every case of test_golden.py (CASES) twice with the same environment as the test and
refuses to write when the two runs differ, so what it writes is reproducible.  For each case it
writes the stdout to expected/CASE.EXT and the exit status and stderr to expected/status.json.
Needs no root: it only reads the checked-in sessions (make_sessions.py records them).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_golden import CASES, EXPECTED, STATUS, parse, run, status_of


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--update", action="store_true", help="rewrite the expected files")
    args = p.parse_args()
    outputs: dict[str, str] = {}
    statuses: dict[str, dict[str, object]] = {}
    for case in CASES:
        first, second = run(case.args), run(case.args)
        if (first.stdout, status_of(first)) != (second.stdout, status_of(second)):
            print(f"{case.name}: two runs differ, not deterministic", file=sys.stderr)
            return 1
        outputs[case.name] = first.stdout
        statuses[case.name] = status_of(first)
    if args.update:
        EXPECTED.mkdir(exist_ok=True)
        for old in EXPECTED.iterdir():  # a renamed or dropped case leaves no stale file
            old.unlink()
        for case in CASES:
            case.expected.write_text(outputs[case.name], encoding="utf-8")
        STATUS.write_text(json.dumps(statuses, indent=2, sort_keys=True) + "\n",
                          encoding="utf-8")
        print(f"wrote {len(CASES)} cases to {EXPECTED}")
        return 0
    old_status = json.loads(STATUS.read_text(encoding="utf-8")) if STATUS.exists() else {}
    differ = [c.name for c in CASES
              if not c.expected.exists() or old_status.get(c.name) != statuses[c.name]
              or parse(c, c.expected.read_text(encoding="utf-8"))
              != parse(c, outputs[c.name])]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(CASES) - len(differ)} of {len(CASES)} cases as expected")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
