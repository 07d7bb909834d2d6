"""Per-operation status coverage of a fuzzing run, from the server's JSON access log.

Usage: python scripts/fuzz_coverage.py <openapi.json> <server.log>
Prints, for every operation of the OpenAPI document, the statuses it answered; fails when
an operation was never called or never got past authentication and throttling (answered
only 401, 403 or 429): then the fuzzing never reached its logic.
"""

import json
import sys
from collections import defaultdict

GATES = {401, 403, 429}
METHODS = {"get", "post", "put", "patch", "delete"}


def main(openapi_path: str, log_path: str) -> int:
    with open(openapi_path) as f:
        paths = json.load(f)["paths"]
    operations = {(m.upper(), p) for p, item in paths.items() for m in item if m in METHODS}
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    with open(log_path) as f:
        for line in f:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if "route" in entry and "status" in entry and "method" in entry:
                seen[(entry["method"], entry["route"])].add(int(entry["status"]))
    stuck = []
    for method, path in sorted(operations, key=lambda o: (o[1], o[0])):
        statuses = seen.get((method, path), set())
        reached = statuses - GATES
        mark = "ok " if reached else "!! "
        print(f"{mark}{method:6} {path}  {' '.join(map(str, sorted(statuses))) or 'never called'}")
        if not reached:
            stuck.append(f"{method} {path}")
    print(f"{len(operations) - len(stuck)} of {len(operations)} operations got past auth")
    if stuck:
        print("never past 401/403/429 (or never called):\n  " + "\n  ".join(stuck))
    return 1 if stuck else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
