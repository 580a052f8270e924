"""The full GNN-vs-XGBoost benchmark on `default`: all models, 5 seeds, timed end to end.

    python benchmarks/bench_gnn.py --difficulty medium --seeds 5

Builds the `default` preset at the given difficulty, runs `graphgen bench` (as a user would) and keeps its
report under benchmarks/results/bench_<difficulty>/ together with the measured wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_build import RESULTS, machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--difficulty", default="medium", choices=["easy", "medium", "hard"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--preset", default="default")
    args = parser.parse_args()
    graphgen = str(Path(sys.executable).parent / "graphgen")
    target = RESULTS / f"bench_{args.difficulty}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([graphgen, "build", "--preset", args.preset, "--difficulty", args.difficulty, "--out", str(out), "-q"],
                       check=True)
        started = time.perf_counter()
        subprocess.run([graphgen, "bench", str(out), "--seeds", str(args.seeds), "--out", str(out / "bench")], check=True)
        seconds = time.perf_counter() - started
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(out / "bench", target)
    results = json.loads((target / "results.json").read_text())
    results["dataset"] = f"{args.preset} preset, difficulty {args.difficulty}"
    (target / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    report = (target / "report.md").read_text()
    report = report.replace(report.split("\n")[2], f"`{args.preset}` preset ({results['config']['users']:,} users), difficulty "
                            f"`{args.difficulty}`, split `{results['split']}`.")
    timing = (f"Measured {dt.date.today().isoformat()} on {machine()}: `graphgen bench` with {args.seeds} seeds and "
              f"all models took {seconds / 60:.1f} min (wall clock, features and graphs included).")
    (target / "report.md").write_text(report.rstrip() + "\n\n" + timing + "\n")
    (target / "timing.json").write_text(json.dumps({"date": dt.date.today().isoformat(), "machine": machine(),
                                                    "seconds": round(seconds, 1), "seeds": args.seeds}, indent=2) + "\n")
    print(timing)


if __name__ == "__main__":
    main()
