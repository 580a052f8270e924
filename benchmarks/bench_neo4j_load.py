"""Online Neo4j loading throughput: graphgen's batched loader vs a naive one-row-per-transaction MERGE loader.

    python benchmarks/bench_neo4j_load.py --preset default --naive-sample 3000

Builds the preset, starts the same real Neo4j 5.26 the tests use (loaders/neo4j_java, JDK 17 + Maven), then
1. the naive loader: each of the first N transactions in its own auto-commit query that MERGEs its
   accounts, device, IP, transaction node and four relationships (constraints in place, as for graphgen);
2. graphgen's loader (`loaders.online.load`): the whole dataset, after wiping, with payments aggregated and
   then with transactions as nodes at each `--workers` count; relationships CREATEd under batch markers;
3. the same dataset loaded again over the finished load (nodes and relationships MERGEd: the idempotent
   path), which stays loaded for the queries.
Relationships per second are compared; the naive time for the full dataset is extrapolated from its rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

import pyarrow.parquet as pq  # noqa: E402
from bench_build import RESULTS, machine  # noqa: E402
from neo4j import GraphDatabase  # noqa: E402

import graphgen  # noqa: E402
from graphgen.config import resolve_config  # noqa: E402
from graphgen.writers import staged_folder, write_graph  # noqa: E402
from loaders.evaluate import CYPHER, run_query_file, score_ring_queries  # noqa: E402
from loaders.model import schema_statements  # noqa: E402
from loaders.online import load, wipe_database  # noqa: E402
from loaders import server as harness  # noqa: E402

NAIVE = """
MERGE (a:Account {account_id: $src}) MERGE (b:Account {account_id: $dst})
MERGE (t:Transaction {txn_id: $txn_id}) SET t.ts = datetime({epochMillis: $ts}), t.amount = $amount, t.channel = $channel
MERGE (d:Device {device_id: $device}) MERGE (i:IP {ip_id: $ip})
MERGE (a)-[:SENT]->(t) MERGE (t)-[:RECEIVED_BY]->(b) MERGE (t)-[:VIA_DEVICE]->(d) MERGE (t)-[:VIA_IP]->(i)
"""


def naive_load(driver, txns: list[dict]) -> float:
    started = time.perf_counter()
    with driver.session() as session:
        for row in txns:
            session.run(NAIVE, row).consume()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--naive-sample", type=int, default=3000, help="transactions loaded by the naive loader")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="write sessions at once, one load each")
    args = parser.parse_args()
    if reason := harness.unavailable():
        sys.exit(reason)
    harness.build()
    password = "benchmark-password"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        config = resolve_config(args.preset)
        with staged_folder(out) as staging:
            write_graph(graphgen.generate(config), staging)
        server = harness.Neo4jServer(Path(tmp) / "neo4j", password, heap=args.heap).start()
        try:
            with GraphDatabase.driver(server.uri, auth=(server.user, password), notifications_min_severity="OFF") as driver:
                for statement in schema_statements():
                    driver.execute_query(statement)
                sample = pq.read_table(out / "transactions.parquet").slice(0, args.naive_sample)
                rows = [{"src": r["src_account_id"], "dst": r["dst_account_id"], "txn_id": r["txn_id"],
                         "ts": int(r["ts"].timestamp() * 1000), "amount": r["amount"], "channel": r["channel"],
                         "device": r["device_id"], "ip": r["ip_id"]} for r in sample.to_pylist()]
                naive_seconds = naive_load(driver, rows)
                naive_rate = 4 * len(rows) / naive_seconds
                print(f"naive: {len(rows):,} transactions, {4 * len(rows):,} relationships in {naive_seconds:.1f} s "
                      f"= {naive_rate:,.0f} relationships/s", flush=True)
                wipe_database(driver, "neo4j")
            loads = []
            plan = [("aggregated", args.workers[-1], True), *(("nodes", w, True) for w in args.workers),
                    ("nodes", args.workers[-1], False)]
            for payments, workers, wipe in plan:
                report = load(out, server.uri, server.user, password, wipe=wipe, batch_size=args.batch_size,
                              workers=workers, payments=payments)
                loads.append({"payments": payments, "workers": workers, "mode": report.mode,
                              "relationship_mode": report.relationship_mode, "nodes": sum(report.nodes.values()),
                              "relationships": sum(report.relationships.values()), "seconds": round(report.seconds, 1),
                              "relationship_seconds": round(report.relationship_seconds, 1),
                              "index_seconds": round(report.index_seconds, 1),
                              "relationships_per_second": round(report.relationships_per_second)})
                print(json.dumps(loads[-1]), flush=True)
            with GraphDatabase.driver(server.uri, auth=(server.user, password), notifications_min_severity="OFF") as driver:
                started = time.perf_counter()
                queries = score_ring_queries(driver, out)
                query_seconds = time.perf_counter() - started
                files = {}
                for path in sorted(CYPHER.glob("0*.cypher")):  # every shipped query with its defaults
                    started = time.perf_counter()
                    answer = run_query_file(driver, path)
                    files[path.name] = {"rows": len(answer), "seconds": round(time.perf_counter() - started, 1)}
        finally:
            server.stop()
    full = max((r for r in loads if r["payments"] == "nodes" and r["mode"] == "create"), key=lambda r: r["relationships_per_second"])
    n_rels, n_nodes, rate = full["relationships"], full["nodes"], full["relationships_per_second"]
    result = {
        "date": dt.date.today().isoformat(), "machine": machine(), "preset": args.preset, "nodes": n_nodes,
        "relationships": n_rels, "loads": loads, "best_relationships_per_second": rate,
        "naive_sample_transactions": len(rows), "naive_relationships_per_second": round(naive_rate),
        "speedup": round(rate / naive_rate, 1), "naive_full_dataset_hours_extrapolated": round(n_rels / naive_rate / 3600, 1),
        "batch_size": args.batch_size, "server_heap": args.heap, "ring_queries": queries,
        "ring_queries_seconds": round(query_seconds, 1), "query_files": files,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"neo4j_load_{args.preset}.json").write_text(json.dumps(result, indent=2) + "\n")
    table = "\n".join([
        f"Online load of `{args.preset}` ({n_nodes:,} nodes, {n_rels:,} relationships) into Neo4j 5.26 Community "
        f"(embedded test server, heap {args.heap}, page cache 1 GiB) on the same machine. {result['date']}, {result['machine']}.",
        "",
        "| loader | payments | write sessions | nodes | relationships | relationships/s | time |",
        "|---|---|---|---|---|---|---|",
        *[f"| graphgen (`UNWIND` batches of {args.batch_size:,}; "
          + ("into an empty database: nodes and relationships created" if r["mode"] == "create" else
             "again over the finished load: nodes and relationships merged")
          + f") | {r['payments']} | {r['workers']} | {r['nodes']:,} | {r['relationships']:,} | {r['relationships_per_second']:,} | "
          f"{r['relationship_seconds']:.0f} s for relationships, {r['index_seconds']:.0f} s for indexes, "
          f"{r['seconds']:.0f} s in all |" for r in loads],
        f"| naive (one auto-commit `MERGE` per transaction; first {len(rows):,} transactions) | nodes | 1 | | | "
        f"{naive_rate:,.0f} | about {result['naive_full_dataset_hours_extrapolated']} h for the whole dataset at that rate |",
        "",
        f"graphgen's best load of every payment is {rate / naive_rate:.0f}x faster on relationships than the naive one. "
        "Each load into an empty database starts by wiping the previous one (included in its time).",
        "",
        f"The ring queries on the loaded graph ({query_seconds:.0f} s for all {len(queries)}), against the planted rings:",
        "",
        "| query | rings found (recall) | precision of returned groups |",
        "|---|---|---|",
        *[f"| `{q['query']}` | {q['recall']:.0%} of {q['rings']} | {q['precision']:.0%} of {q['groups']} |" for q in queries.values()],
        "",
        "Every shipped query with its default parameters:",
        "",
        "| query | rows | seconds |",
        "|---|---|---|",
        *[f"| `{name}` | {f['rows']:,} | {f['seconds']} |" for name, f in files.items()],
    ])
    (RESULTS / f"neo4j_load_{args.preset}.md").write_text(table + "\n")
    print("\n" + table)


if __name__ == "__main__":
    main()
