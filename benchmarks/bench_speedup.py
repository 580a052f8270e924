"""Speed-up of graphgen's vectorised generator over the per-entity networkx reference, same model.

    python benchmarks/bench_speedup.py --users 5000 10000 20000

Both build the same config (the `default` preset at the given sizes) and write their tables to Parquet;
each is timed end to end in this process, best of `--repeat` runs. Results go to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import graphgen  # noqa: E402
from bench_build import RESULTS, machine  # noqa: E402
from graphgen.config import resolve_config  # noqa: E402
from graphgen.writers import staged_folder, write_graph  # noqa: E402
from reference_impl import build_reference  # noqa: E402


def best_of(repeat: int, fn, *args) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - started)
    return min(times)


def vectorised(config, out: Path) -> None:
    with staged_folder(out) as staging:
        write_graph(graphgen.generate(config), staging)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, nargs="+", default=[5_000, 10_000, 20_000])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for users in args.users:
            config = resolve_config("default", overrides={"users": users})
            out = Path(tmp) / f"graphgen_{users}"

            ours = best_of(args.repeat, vectorised, config, out)
            theirs = best_of(1, build_reference, config, Path(tmp) / f"reference_{users}")
            n_txns = json.loads((out / "manifest.json").read_text())["files"]["transactions.parquet"]["rows"]
            rows.append({"users": users, "transactions": n_txns, "graphgen_s": round(ours, 3),
                         "reference_s": round(theirs, 2), "speedup": round(theirs / ours, 1)})
            print(f"{users:>8,} users: graphgen {ours:.2f} s, reference {theirs:.1f} s, speed-up {theirs / ours:.0f}x", flush=True)
    result = {"date": dt.date.today().isoformat(), "machine": machine(), "rows": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "speedup.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [f"Vectorised graphgen vs the per-entity networkx reference (`benchmarks/reference_impl.py`), "
             f"`default` preset at each size, generate + write Parquet. {result['date']}, {result['machine']}.", "",
             "| users | transactions | graphgen | reference | speed-up |", "|---|---|---|---|---|"]
    lines += [f"| {r['users']:,} | {r['transactions']:,} | {r['graphgen_s']:.2f} s | {r['reference_s']:.1f} s | {r['speedup']:.0f}x |" for r in rows]
    (RESULTS / "speedup.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
