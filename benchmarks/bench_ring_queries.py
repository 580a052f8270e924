"""Recall and precision of the shipped ring queries at each difficulty level, in a real Neo4j.

    python benchmarks/bench_ring_queries.py --preset default

For each level, builds the preset at that difficulty, loads it into the same Neo4j 5.26 the tests use
(loaders/neo4j_java, JDK 17 + Maven; wiped between levels) and runs every typology's ring query with its documented
defaults. Reported per query: rings found (recall), precision over all returned rows, and precision at the
top of the ranked list down to 95% recall (rows of any planted ring count as hits, and apart, rows of the
query's own typology's rings); plus the query's time. Results go to
benchmarks/results/ring_queries_<preset>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from bench_build import machine, save  # noqa: E402
from neo4j import GraphDatabase  # noqa: E402

import graphgen  # noqa: E402
from graphgen.config import resolve_config  # noqa: E402
from graphgen.writers import staged_folder, write_graph  # noqa: E402
from loaders.evaluate import score_ring_queries  # noqa: E402
from loaders.online import load  # noqa: E402
from loaders import server as harness  # noqa: E402

LEVELS = ("easy", "medium", "hard")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--levels", nargs="+", default=list(LEVELS), choices=LEVELS)
    parser.add_argument("--heap", default="4g")
    args = parser.parse_args()
    if reason := harness.unavailable():
        sys.exit(reason)
    harness.build()
    password = "benchmark-password"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        server = harness.Neo4jServer(Path(tmp) / "neo4j", password, heap=args.heap).start()
        try:
            for level in args.levels:
                out = Path(tmp) / level
                with staged_folder(out) as staging:
                    write_graph(graphgen.generate(resolve_config(args.preset, overrides={"difficulty": level})), staging)
                report = load(out, server.uri, server.user, password, wipe=True)
                with GraphDatabase.driver(server.uri, auth=(server.user, password), notifications_min_severity="OFF") as driver:
                    started = time.perf_counter()
                    results[level] = score_ring_queries(driver, out)
                    results[level]["seconds"] = round(time.perf_counter() - started, 1)
                print(f"{level}: loaded in {report.seconds:.0f} s; {results[level]}", flush=True)
        finally:
            server.stop()
    record = {"date": dt.date.today().isoformat(), "machine": machine(), "preset": args.preset, "levels": results}
    lines = [f"Ring queries with their defaults on `{args.preset}` in Neo4j 5.26, per difficulty level. "
             f"{record['date']}, {record['machine']}.", "",
             "A row is a hit when it is mostly one planted ring's members: of any typology (fraud found), and in "
             "brackets of the query's own typology.", "",
             "| level | query | rings found (recall) | precision of all rows | precision down to 95% recall |",
             "|---|---|---|---|---|"]

    def share(value: float | None) -> str:
        return "not reached" if value is None else f"{value:.0%}"

    for level, scores in results.items():
        for name, s in scores.items():
            if name == "seconds":
                continue
            lines.append(f"| {level} | `{s['query']}` | {s['recall']:.0%} of {s['rings']} | {s['precision_any']:.0%} "
                         f"({s['precision']:.0%}) of {s['groups']} rows | {share(s['precision_any_at_95'])} "
                         f"({share(s['precision_at_95'])}) |")
    save(f"ring_queries_{args.preset}", record, lines)


if __name__ == "__main__":
    main()
