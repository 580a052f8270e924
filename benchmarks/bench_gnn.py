"""The full GNN-vs-XGBoost benchmark on `default`: all models, 5 seeds, timed end to end.

    python benchmarks/bench_gnn.py --difficulty medium --seeds 5
    python benchmarks/bench_gnn.py --difficulty medium --seeds 5 --models pna,xgb_neighbours --keep-others

Builds the `default` preset at the given difficulty, runs `graphgen bench` (as a user would) and keeps its
report under benchmarks/results/bench_<difficulty>/ together with the measured wall time. With `--models` only
those models run; `--keep-others` carries the other models' runs over from the report already there when it
was measured on the same config and seeds (the report then says which were carried over and from when).
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
from gnn.bench import write_report  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--difficulty", default="medium", choices=["easy", "medium", "hard"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--models", default="all")
    parser.add_argument("--keep-others", action="store_true")
    args = parser.parse_args()
    graphgen = str(Path(sys.executable).parent / "graphgen")
    target = RESULTS / f"bench_{args.difficulty}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([graphgen, "build", "--preset", args.preset, "--difficulty", args.difficulty, "--out", str(out), "-q"],
                       check=True)
        started = time.perf_counter()
        subprocess.run([graphgen, "bench", str(out), "--seeds", str(args.seeds), "--models", args.models,
                        "--out", str(out / "bench")], check=True)
        seconds = time.perf_counter() - started
        results = json.loads((out / "bench" / "results.json").read_text())
        carried = carry_over(results, target, args.seeds) if args.keep_others else ""
        shutil.rmtree(target, ignore_errors=True)
        results["dataset"] = f"{args.preset} preset, difficulty {args.difficulty}"
        write_report(results, target)
    report = (target / "report.md").read_text()
    report = report.replace(report.split("\n")[2], f"`{args.preset}` preset ({results['config']['users']:,} users), difficulty "
                            f"`{args.difficulty}`, split `{results['split']}`.")
    timing = (f"Measured {dt.date.today().isoformat()} on {machine()}: `graphgen bench` with {args.seeds} seeds and "
              f"{'all models' if args.models == 'all' else args.models} took {seconds / 60:.1f} min (wall clock, features "
              f"and graphs included).{carried}")
    (target / "report.md").write_text(report.rstrip() + "\n\n" + timing + "\n")
    (target / "timing.json").write_text(json.dumps({"date": dt.date.today().isoformat(), "machine": machine(),
                                                    "seconds": round(seconds, 1), "seeds": args.seeds}, indent=2) + "\n")
    print(timing)


def carry_over(results: dict, target: Path, seeds: int) -> str:
    """Add to ``results`` the runs of the models it lacks from the report in ``target`` (same config and seeds)."""
    from gnn.bench import summarize

    path = target / "results.json"
    if not path.is_file():
        return ""
    earlier = json.loads(path.read_text())
    if earlier["config"] != results["config"] or earlier["seeds"] != seeds or earlier["split"] != results["split"]:
        sys.exit(f"{path} was measured on another config, split or number of seeds: run all models")
    others = [m for m in earlier["models"] if m not in results["models"]]
    results["runs"] += [r for r in earlier["runs"] if r["model"] in others]
    results["curves"].update({m: c for m, c in earlier["curves"].items() if m in others})
    results["models"] = others + results["models"]
    results["summary"] = summarize(results["runs"], results["models"])
    when = json.loads((target / "timing.json").read_text())["date"] if (target / "timing.json").is_file() else "earlier"
    return f" {', '.join(others)} carried over from the run of {when} on the same data, seeds and code." if others else ""


if __name__ == "__main__":
    main()
