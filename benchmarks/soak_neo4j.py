"""Soak: load a preset into the real Neo4j while a second client runs the ring queries in a loop, and kill the
server (SIGKILL) and restart it twice along the way; then check the final graph is exact.

    python benchmarks/soak_neo4j.py --preset default --kills 2

The loader is the CLI (`graphgen load neo4j`), re-run with --force-unlock whenever a kill ends it, as an
operator would. Reports the loader's throughput over the whole soak, the query client's successes and
errors, and whether the final counts equal the Parquet row counts with no duplicated relationship.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from bench_build import RESULTS, machine  # noqa: E402
from neo4j import GraphDatabase  # noqa: E402
from neo4j import exceptions as neo4j_errors  # noqa: E402

from graphgen.rings import REGISTRY  # noqa: E402
from loaders.evaluate import CYPHER, run_query_file  # noqa: E402
from loaders.model import REL_SETS  # noqa: E402
from loaders import server as harness  # noqa: E402
from tests.test_neo4j import expected_counts, graph_counts  # noqa: E402

PASSWORD = "soak-password-123"
DUPLICATES = "MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, count(*) AS n WHERE n > 1 RETURN count(*) AS c"


class QueryClient(threading.Thread):
    """Runs every ring query in turn until stopped; counts successes and errors (a dead server is an error)."""

    def __init__(self, uri: str):
        super().__init__(daemon=True)
        self.uri, self.ok, self.errors, self.stop = uri, 0, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with GraphDatabase.driver(self.uri, auth=("neo4j", PASSWORD), notifications_min_severity="OFF",
                                          connection_timeout=5, max_transaction_retry_time=1) as driver:
                    while not self.stop.is_set():
                        for typology in REGISTRY.names():
                            run_query_file(driver, CYPHER / REGISTRY[typology].query.file)
                            self.ok += 1
            except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError):
                self.errors += 1
                time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=40.0, help="seconds of loading before each kill")
    args = parser.parse_args()
    if reason := harness.unavailable():
        sys.exit(reason)
    harness.build()
    env = {**os.environ, "NEO4J_PASSWORD": PASSWORD}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([sys.executable, "-m", "graphgen.cli", "build", "--preset", args.preset, "--out", str(out), "-q"],
                       check=True)
        server = harness.Neo4jServer(Path(tmp) / "neo4j", PASSWORD, heap="4g").start()
        client = QueryClient(server.uri)
        client.start()
        runs, kills, started = [], 0, time.perf_counter()
        try:
            while True:
                command = [sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(out), "--uri", server.uri,
                           "--force-unlock"]
                loader = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                try:
                    loader.wait(timeout=args.kill_every if kills < args.kills else None)
                except subprocess.TimeoutExpired:
                    server.kill()
                    kills += 1
                    stdout, stderr = loader.communicate(timeout=600)
                    runs.append({"exit": loader.returncode, "error": stderr.strip().splitlines()[-1:]})
                    server.start()
                    continue
                stdout, stderr = loader.communicate()
                runs.append({"exit": loader.returncode, "error": stderr.strip().splitlines()[-1:]})
                if loader.returncode == 0:
                    break
            seconds = time.perf_counter() - started
        finally:
            client.stop.set()
            client.join(timeout=30)
        with GraphDatabase.driver(server.uri, auth=("neo4j", PASSWORD), notifications_min_severity="OFF") as driver:
            counts = graph_counts(driver)
            expected = expected_counts(out)
            duplicates = driver.execute_query(DUPLICATES).records[0]["c"]
        server.stop()
    relationships = sum(expected[t] for t in {r.rel_type for r in REL_SETS})
    result = {
        "date": dt.date.today().isoformat(), "machine": machine(), "preset": args.preset, "kills": kills,
        "loader_runs": runs, "seconds": round(seconds, 1), "relationships": relationships,
        "relationships_per_second_overall": round(relationships / seconds),
        "query_client": {"queries_ok": client.ok, "errors": client.errors},
        "exact": counts == expected, "duplicated_relationships": duplicates,
        "mismatches": {k: (counts.get(k), v) for k, v in expected.items() if counts.get(k) != v},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"soak_neo4j_{args.preset}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if not result["exact"] or duplicates:
        sys.exit(1)


if __name__ == "__main__":
    main()
