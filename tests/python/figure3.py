#!/usr/bin/env python3
"""Figure 3 over the engine's HTTP API, with the standard library only.

Starts one enumeration of paper-fig3 per width h = 1..4 (realizability decided, regions kept), follows each run
until it is done, and prints regions / realizable regions per subglobal-minimum loss level, as `engine paper` does.

    engine serve --port 8787 &
    python3 tests/python/figure3.py http://127.0.0.1:8787
"""
import json
import sys
import time
import urllib.error
import urllib.request


def call(base, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        # The API answers bad requests with one line: show it, not a traceback.
        sys.exit(f"{path}: HTTP {e.code}: {json.load(e).get('error')}")


def finished(base, run_id):
    while True:
        run = call(base, f"/api/runs/{run_id}")
        if run["state"] in ("done", "failed", "cancelled"):
            if run["state"] != "done":
                sys.exit(f"run {run_id} {run['state']}: {run.get('error')}")
            return run["result"]
        time.sleep(0.1)


def main():
    base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8787").rstrip("/")
    widths = [1, 2, 3, 4]
    ids = [call(base, "/api/runs", {"command": "enumerate", "dataset": "paper-fig3", "hidden": h,
                                    "realizable": True, "keep": True})["id"] for h in widths]
    results = [finished(base, run_id) for run_id in ids]
    # Levels are grouped by the engine (a tolerance relative to the dead region's loss); the union over h is
    # matched the same way here.
    tolerance = max(r["minima"]["tolerance"] for r in results)
    levels = []
    for result in results:
        for level in result["minima"]["levels"]:
            if not any(abs(level["loss"] - known) <= tolerance for known in levels):
                levels.append(level["loss"])
    levels.sort()

    def cell(result, loss):
        for level in result["minima"]["levels"]:
            if abs(level["loss"] - loss) <= tolerance:
                return f"{level['regions']}/{level['realizable'] or '.'}"
        return "."

    print("Figure 3: subglobal minima of paper-fig3 over HTTP: regions / realizable regions per loss, by h")
    print(f"{'loss':>10}" + "".join(f"{'h=' + str(h):>14}" for h in widths))
    for loss in levels:
        print(f"{loss:>10.4f}" + "".join(f"{cell(r, loss):>14}" for r in results))
    print(f"{'regions':>10}" + "".join(f"{str(r['count']) + '/' + str(r['realizable']['count']):>14}" for r in results))


if __name__ == "__main__":
    main()
