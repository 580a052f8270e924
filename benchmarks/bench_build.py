"""Benchmark `graphgen build`: wall time, rows per second and peak RSS, over several runs.

    python benchmarks/bench_build.py --preset large --runs 3

Each run is a fresh `graphgen build` process (as a user runs it), timed from start to exit; its peak
RSS comes from the kernel's accounting of that child. Results go to stdout and, as Markdown and JSON,
to benchmarks/results/. Timings on a shared VM vary run to run, so min, median and max are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, Python {platform.python_version()}"


def save(name: str, record: dict, lines: list[str]) -> None:
    """Write ``benchmarks/results/NAME.json`` (the record) and ``NAME.md`` (the lines), and print the lines."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))


def run_once(args: list[str]) -> tuple[float, int]:
    """Run a command; return (wall seconds, peak RSS in bytes) of that process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"benchmark command failed: {' '.join(args)}")
    return seconds, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="large")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    graphgen = shutil.which("graphgen") or str(Path(sys.executable).parent / "graphgen")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        command = [graphgen, "build", "--preset", args.preset, "--out", str(out), "--overwrite", "--quiet"]
        if args.users:
            command += ["--users", str(args.users)]
        for i in range(args.runs):
            seconds, rss = run_once(command)
            manifest = json.loads((out / "manifest.json").read_text())
            rows = sum(f["rows"] for f in manifest["files"].values())
            size = sum(f["bytes"] for f in manifest["files"].values())
            runs.append({"seconds": round(seconds, 2), "peak_rss_gib": round(rss / 2**30, 2), "rows": rows,
                         "rows_per_second": round(rows / seconds), "bytes": size, "stage_seconds": manifest["stage_seconds"]})
            print(f"run {i + 1}: {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak RSS {rss / 2**30:.2f} GiB", flush=True)
        users = manifest["files"]["nodes/users.parquet"]["rows"]

    seconds = [r["seconds"] for r in runs]
    rss = [r["peak_rss_gib"] for r in runs]
    result = {
        "date": dt.date.today().isoformat(), "machine": machine(), "preset": args.preset, "users": users,
        "rows": runs[0]["rows"], "bytes": runs[0]["bytes"], "runs": runs,
        "seconds": {"min": min(seconds), "median": statistics.median(seconds), "max": max(seconds)},
        "peak_rss_gib": {"min": min(rss), "median": statistics.median(rss), "max": max(rss)},
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"build_{args.preset}" + (f"_{args.users}" if args.users else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    stages = " / ".join(f"{k} {statistics.median(r['stage_seconds'][k] for r in runs):.1f}" for k in runs[0]["stage_seconds"])
    table = "\n".join([
        f"`graphgen build --preset {args.preset}`: {users:,} users, {result['rows']:,} rows in {len(runs[0]['stage_seconds'])} stages "
        f"+ write, {result['bytes'] / 2**20:,.0f} MiB of Parquet. {result['date']}, {result['machine']}.",
        "",
        "| runs | wall time min / median / max | rows per second (median) | peak RSS (max) |",
        "|---|---|---|---|",
        f"| {len(runs)} | {min(seconds):.1f} / {statistics.median(seconds):.1f} / {max(seconds):.1f} s "
        f"| {result['rows'] / statistics.median(seconds):,.0f} | {max(rss):.2f} GiB |",
        "",
        f"Median seconds per stage: {stages}.",
    ])
    (RESULTS / f"{name}.md").write_text(table + "\n")
    print("\n" + table)


if __name__ == "__main__":
    main()
