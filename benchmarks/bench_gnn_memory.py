"""Peak memory of each bench model, alone in its own process, at growing graph sizes.

    python benchmarks/bench_gnn_memory.py --users 100000 300000

Builds the `default` preset (medium) with each number of users, then runs `graphgen bench OUT --models M
--seeds 1 --epochs 2` once per model in its own process and records that process's peak RSS (features, graphs
and the model together; a GNN's memory peaks in its first epoch, so two epochs measure it) and whether it
finished. Wall times of full training are in the bench reports, not here. `--keep-others` carries the runs of
other sizes and models over from the results already there (the table says when each was measured).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_build import RESULTS, machine, save  # noqa: E402


def peak(args: list[str]) -> tuple[bool, float, float]:
    """Run a command; (finished, wall seconds, peak RSS in GiB) of that process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status) == 0, time.perf_counter() - started, usage.ru_maxrss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, nargs="+", default=[100_000])
    parser.add_argument("--models", default="all")
    parser.add_argument("--keep-others", action="store_true", help="carry earlier runs of other sizes and models over")
    args = parser.parse_args()
    from gnn.models import MODELS

    models = MODELS.names() if args.models == "all" else args.models.split(",")
    graphgen = str(Path(sys.executable).parent / "graphgen")
    rows = {}
    for users in args.users:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            subprocess.run([graphgen, "build", "--preset", "default", "--users", str(users), "--out", str(out), "-q"], check=True)
            for model in models:
                ok, seconds, gib = peak([graphgen, "bench", str(out), "--models", model, "--seeds", "1", "--epochs", "2",
                                         "--out", str(Path(tmp) / model)])
                rows[(users, model)] = {"finished": ok, "seconds": round(seconds, 1), "peak_gib": round(gib, 2),
                                        "date": dt.date.today().isoformat()}
                print(f"{users:,} users, {model}: {'' if ok else 'FAILED, '}peak {gib:.2f} GiB", flush=True)
    earlier = RESULTS / "gnn_memory.json"
    if args.keep_others and earlier.exists():
        record = json.loads(earlier.read_text())
        for run in record["runs"]:  # runs recorded before runs carried their own date: the record's date
            rows.setdefault((run["users"], run["model"]),
                            {"date": record["date"], **{k: v for k, v in run.items() if k not in ("users", "model")}})
    sizes = sorted({u for u, _ in rows})
    models = list(dict.fromkeys(m for _, m in rows))
    header = " | ".join(f"{u:,} users" for u in sizes)
    lines = [f"Peak RSS of `graphgen bench --models M --seeds 1 --epochs 2` per model (`default` preset, medium), on "
             f"{machine()}; measured {', '.join(sorted({r['date'] for r in rows.values()}))}.", "",
             f"| model | {header} |", "|---|" + "---:|" * len(sizes)]
    for model in models:
        cells = [(f"{rows[(u, model)]['peak_gib']:.2f} GiB" + ("" if rows[(u, model)]["finished"] else " (failed)"))
                 if (u, model) in rows else "not run" for u in sizes]
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    save("gnn_memory", {"date": dt.date.today().isoformat(), "machine": machine(),
                        "runs": [{"users": u, "model": m, **r} for (u, m), r in rows.items()]}, lines)


if __name__ == "__main__":
    main()
