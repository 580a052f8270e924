"""From `graphgen build` to a loaded Neo4j in bulk: export the bundle, import it with the real neo4j-admin.

    python benchmarks/bench_neo4j_bulk.py --preset large

Builds the preset once, then for each bundle variant (Parquet with transactions as nodes, Parquet with
aggregated payments only, the same with each pair's last 3 payments as nodes, plain CSV with transactions as
nodes; `--variants` picks, and `--keep-others` carries the other variants over from the results already there
for the same preset) runs `graphgen export neo4j`
as a user does (wall time, peak RSS of that process) and the real `neo4j-admin database import full` of the
same Neo4j 5.26 the tests use (wall time, the peak memory it reports, nodes and relationships imported).
Results go to stdout and, as Markdown and JSON, to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from bench_build import RESULTS, machine, run_once, save  # noqa: E402

from loaders.bundle import BUNDLE_DIR, import_arguments  # noqa: E402
from loaders import server as harness  # noqa: E402

VARIANTS = {  # name -> (format, payments, recent payments per pair)
    "parquet": ("parquet", "nodes", 0),
    "parquet-aggregated": ("parquet", "aggregated", 0),
    "parquet-aggregated-last3": ("parquet", "aggregated", 3),
    "csv": ("csv", "nodes", 0),
}


def imported(log: str) -> dict[str, float]:
    """Counts and peak memory from neo4j-admin's closing report."""
    def number(pattern: str) -> float:
        found = re.search(pattern, log)
        return float(found.group(1)) if found else float("nan")

    return {"nodes": number(r"(\d+) nodes"), "relationships": number(r"(\d+) relationships"),
            "peak_gib": number(r"Peak memory usage: ([\d.]+)GiB")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="large")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--heap", default="4g", help="JVM heap of neo4j-admin")
    parser.add_argument("--keep-others", action="store_true",
                        help="carry the variants not run over from benchmarks/results for the same preset")
    args = parser.parse_args()
    graphgen = shutil.which("graphgen") or str(Path(sys.executable).parent / "graphgen")
    harness.build()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        build_seconds, build_rss = run_once([graphgen, "build", "--preset", args.preset, "--out", str(out), "--quiet"])
        print(f"build: {build_seconds:.1f} s, peak RSS {build_rss / 2**30:.2f} GiB", flush=True)
        for name in args.variants:
            input_type, payments, recent = VARIANTS[name]
            export_seconds, export_rss = run_once([graphgen, "export", "neo4j", str(out), "--format", input_type,
                                                   "--payments", payments, "--recent-payments", str(recent)])
            bundle = out / BUNDLE_DIR
            size = sum(p.stat().st_size for p in bundle.iterdir())
            home = Path(tmp) / f"home-{name}"
            started = time.perf_counter()
            result = harness.neo4j_admin(home, import_arguments("neo4j", input_type, False, payments, recent), cwd=bundle, heap=args.heap)
            import_seconds = time.perf_counter() - started
            log = result.stdout + result.stderr
            if result.returncode != 0 or "IMPORT DONE" not in log:
                sys.exit(f"neo4j-admin import of the {name} bundle failed:\n{log[-3000:]}")
            counts = imported(log)
            row = {"variant": name, "date": dt.date.today().isoformat(), "build_seconds": round(build_seconds, 1), "format": input_type, "payments": payments, "recent_payments": recent, "bundle_mib": round(size / 2**20),
                   "export_seconds": round(export_seconds, 1), "export_peak_rss_gib": round(export_rss / 2**30, 2),
                   "import_seconds": round(import_seconds, 1), "import_peak_gib": counts["peak_gib"],
                   "nodes": int(counts["nodes"]), "relationships": int(counts["relationships"]),
                   "relationships_per_second": round(counts["relationships"] / import_seconds)}
            rows.append(row)
            print(json.dumps(row), flush=True)
            shutil.rmtree(home)
        users = json.loads((out / "manifest.json").read_text())["files"]["nodes/users.parquet"]["rows"]

    earlier = RESULTS / f"neo4j_bulk_{args.preset}.json"
    if args.keep_others and earlier.exists():
        kept = [r for r in json.loads(earlier.read_text())["variants"] if r["variant"] not in args.variants]
        rows = sorted(kept + rows, key=lambda r: list(VARIANTS).index(r["variant"]))
    result = {"date": dt.date.today().isoformat(), "machine": machine(), "preset": args.preset, "users": users,
              "build_seconds": round(build_seconds, 1), "build_peak_rss_gib": round(build_rss / 2**30, 2), "variants": rows}
    lines = [f"`graphgen export neo4j` and `neo4j-admin database import full` (Neo4j 5.26) on `{args.preset}`: {users:,} users, "
             f"built in {build_seconds:.0f} s. {result['date']}, {result['machine']}.", "",
             "| bundle | size | export | export peak RSS | import | import peak memory | nodes | relationships | relationships/s | build + export + import |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        total = r["build_seconds"] + r["export_seconds"] + r["import_seconds"]
        lines.append(f"| {r['variant']} | {r['bundle_mib']:,} MiB | {r['export_seconds']:.1f} s | {r['export_peak_rss_gib']:.2f} GiB "
                     f"| {r['import_seconds']:.0f} s | {r['import_peak_gib']:.2f} GiB | {r['nodes']:,} | {r['relationships']:,} "
                     f"| {r['relationships_per_second']:,} | {total:.0f} s |")
    if any(r["date"] != result["date"] for r in rows):
        lines += ["", "Carried over from earlier runs: " + ", ".join(f"{r['variant']} ({r['date']})" for r in rows
                                                                     if r["date"] != result["date"]) + "."]
    save(f"neo4j_bulk_{args.preset}", result, lines)


if __name__ == "__main__":
    main()
