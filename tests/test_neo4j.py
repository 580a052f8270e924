"""The graph in a real Neo4j 5.26: online loading (idempotent, resumable), the bulk bundle through the real
neo4j-admin, every shipped Cypher file, and the ring queries against the planted ground truth.

Tests run in file order against one server and share its database state.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from neo4j import GraphDatabase

from graphgen import schema
from loaders.bundle import import_arguments, write_bundle
from graphgen.rings import REGISTRY
from loaders.evaluate import documented_parameters, precision_at_recall, recall_and_precision, score_ring_queries
from loaders.model import LOCK_LABEL, META_LABEL, NODE_SETS, REL_SETS, graph_sets, schema_statements
from loaders.online import BATCH_LABEL, load, wipe_database
from loaders import server as harness
from tests.conftest import NEO4J_PASSWORD, REPORTED, run_cli

pytestmark = pytest.mark.neo4j
CYPHER = Path(__file__).parent.parent / "cypher"


@pytest.fixture(scope="module")
def driver(neo4j_server):
    with GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, NEO4J_PASSWORD),
                              notifications_min_severity="OFF") as d:
        yield d


def query(driver, text: str, **params) -> list[dict]:
    records, _, _ = driver.execute_query(text, params, database_="neo4j")
    return [r.data() for r in records]


def graph_counts(driver) -> dict[str, int]:
    counts = {}
    for node in NODE_SETS:
        counts[node.label] = query(driver, f"MATCH (n:{node.label}) RETURN count(n) AS c")[0]["c"]
    for rel_type in sorted({r.rel_type for r in REL_SETS}):
        counts[rel_type] = query(driver, f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS c")[0]["c"]
    counts["GT_Fraud"] = query(driver, "MATCH (n:GT_Fraud) RETURN count(n) AS c")[0]["c"]
    for label in (META_LABEL, LOCK_LABEL):
        counts[label] = query(driver, f"MATCH (n:{label}) RETURN count(n) AS c")[0]["c"]
    return counts


def expected_counts(out: Path) -> dict[str, int]:
    rows = {spec.path: pq.read_metadata(out / spec.path).num_rows for spec in schema.all_specs()}
    txns = rows[schema.TRANSACTIONS.path]
    expected = {
        "User": rows["nodes/users.parquet"], "Device": rows["nodes/devices.parquet"],
        "Account": rows["nodes/accounts.parquet"], "IP": rows["nodes/ips.parquet"], "Transaction": txns,
        "Ring": rows["labels/rings.parquet"], "USES_DEVICE": rows["edges/uses_device.parquet"],
        "USES_IP": rows["edges/uses_ip.parquet"], "HAS_ACCOUNT": rows["edges/has_account.parquet"],
        "TRANSFERS_TO": rows["edges/transfers_to.parquet"], "SENT": txns, "RECEIVED_BY": txns,
        "VIA_DEVICE": txns, "VIA_IP": txns, "MEMBER_OF": rows["labels/ring_members.parquet"],
        "Phone": rows["nodes/phones.parquet"], "Address": rows["nodes/addresses.parquet"],
        "HAS_PHONE": rows["edges/has_phone.parquet"], "LIVES_AT": rows["edges/lives_at.parquet"],
    }
    # Events other than logins are nodes, each PERFORMED by its user VIA_DEVICE and VIA_IP; payees added link on.
    kind = pq.read_table(out / schema.EVENTS.path, columns=["event_type"]).column(0).to_numpy(zero_copy_only=False)
    nodes = kind != "login"
    expected.update(Event=int(nodes.sum()), PERFORMED=int(nodes.sum()), VIA_DEVICE=txns + int(nodes.sum()),
                    VIA_IP=txns + int(nodes.sum()), ADDS_PAYEE=int((kind == "payee_added").sum()))
    members = pq.read_table(out / "labels/ring_members.parquet").to_pandas()
    fraud = sum(int(pq.read_table(out / f"labels/{t}.parquet", columns=["is_fraud"]).column(0).to_numpy().sum())
                for t in ("users", "accounts", "transactions"))
    fraud += int((pq.read_table(out / "labels/events.parquet", columns=["is_fraud"]).column(0).to_numpy() & nodes).sum())
    expected["GT_Fraud"] = fraud + len(members.query("node_type in ['device', 'ip']").drop_duplicates(["node_type", "node_id"]))
    expected[META_LABEL], expected[LOCK_LABEL] = 1, 0  # one dataset, no load running
    return expected


def cli_env(neo4j_server) -> dict[str, str]:
    return {**os.environ, "NEO4J_PASSWORD": NEO4J_PASSWORD}


@pytest.fixture(scope="module")
def resumed(neo4j_server, driver, small_output):
    """Wipe, start a load in a child process, kill it half-way (-9), then load again to the end with the same
    batch size (so the second load CREATEs the relationship batches the first did not commit)."""
    wipe_database(driver, "neo4j")
    child = subprocess.Popen([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(small_output),
                              "--uri", neo4j_server.uri, "--batch-size", "2000"],
                             env=cli_env(neo4j_server), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and child.poll() is None:
        if query(driver, "MATCH (:Account)-[r:SENT]->() RETURN count(r) > 0 AS started")[0]["started"]:
            break
        time.sleep(0.2)
    assert child.poll() is None, "the load finished before it could be killed: " + child.stderr.read().decode()
    child.kill()
    child.wait()
    partial = graph_counts(driver)
    report = load(small_output, neo4j_server.uri, neo4j_server.user, NEO4J_PASSWORD, batch_size=2000, force_unlock=True)
    return partial, report


def test_a_load_killed_half_way_resumes_to_exact_counts(resumed, driver, small_output):
    partial, report = resumed
    expected = expected_counts(small_output)
    assert 0 < partial["SENT"] < expected["SENT"], "the kill should have landed half-way"
    assert (report.mode, report.relationship_mode) == ("merge", "create")
    assert graph_counts(driver) == expected
    assert query(driver, f"MATCH (b:{BATCH_LABEL}) RETURN count(b) AS c")[0]["c"] == 0, "batch markers outlive the load"


def test_loading_twice_gives_the_same_graph(resumed, neo4j_server, driver, small_output):
    before = graph_counts(driver)
    result = subprocess.run([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(small_output), "--uri", neo4j_server.uri],
                            env=cli_env(neo4j_server), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "(merge)" in result.stdout and "relationships merged" in result.stdout
    assert graph_counts(driver) == before == expected_counts(small_output)
    duplicates = query(driver, "MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, count(*) AS n WHERE n > 1 RETURN count(*) AS c")
    assert duplicates[0]["c"] == 0


def test_ground_truth_is_kept_apart_from_features(resumed, driver):
    fraud_users = query(driver, "MATCH (u:User:GT_Fraud) RETURN count(u) AS n, count(u.gt_ring_id) AS with_ring")[0]
    assert fraud_users["n"] > 0 and fraud_users["n"] == fraud_users["with_ring"]
    legit = query(driver, "MATCH (u:User) WHERE NOT u:GT_Fraud RETURN count(u.gt_ring_id) + count(u.gt_role) AS n")[0]
    assert legit["n"] == 0
    member_of = query(driver, "MATCH (u:User:GT_Fraud)-[:MEMBER_OF]->(r:Ring) RETURN count(DISTINCT u) AS n")[0]
    assert member_of["n"] == fraud_users["n"]


def test_schema_file_matches_the_loader(resumed, driver):
    statements = [s.strip() for s in re.sub(r"^//.*$", "", (CYPHER / "schema.cypher").read_text(), flags=re.M).split(";")]
    assert [s for s in statements if s] == schema_statements()
    names = {r["name"] for r in query(driver, "SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {f"{n.label.lower()}_{n.key}" for n in NODE_SETS} <= names


def cypher_files() -> list[Path]:
    return sorted(p for p in CYPHER.glob("*.cypher") if p.name != "schema.cypher")


def parameters(driver, path: Path, **overrides) -> dict:
    """The file's documented defaults, checked against the parameters its query actually uses."""
    text = path.read_text()
    params = query(driver, f"RETURN {documented_parameters(path)} AS p")[0]["p"]
    used = set(re.findall(r"\$([A-Za-z_]\w*)", re.sub(r"^//.*$", "", text, flags=re.M)))
    assert used == set(params), f"{path.name}: parameters used {sorted(used)} but documented {sorted(params)}"
    header = "\n".join(line for line in text.splitlines() if line.startswith("//"))
    for name in params:
        assert f"${name}" in header, f"{path.name}: ${name} is not described in the opening comment"
    return {**params, **overrides}


@pytest.fixture(scope="module")
def ring_member(resumed, small_output) -> int:
    users = pq.read_table(small_output / "labels/users.parquet").to_pandas()
    return int(users.query("typology == 'device_sharing' and role == 'operator'")["user_id"].iloc[0])


@pytest.mark.parametrize("path", cypher_files(), ids=lambda p: p.name)
def test_every_cypher_file_runs_with_its_defaults(path, driver, ring_member):
    text = path.read_text()
    assert text.startswith("//") and "Parameters:" in text.split("\n\n")[0]
    started = time.perf_counter()
    rows = query(driver, text, **parameters(driver, path))
    REPORTED.append(f"{path.name}: {len(rows)} rows in {time.perf_counter() - started:.1f} s with its defaults (small)")
    assert rows, f"{path.name} returned nothing on a graph with planted rings"
    if "$user_id" in text:  # the default start shows a neighbourhood, not one lonely node
        assert len(rows[0].get("user_ids") or rows) > 1 or len(rows) > 1, f"{path.name}: the default shows one user"
        assert query(driver, text, **parameters(driver, path, user_id=ring_member)), f"{path.name} with a ring member"


@pytest.mark.parametrize("typology", REGISTRY.names())
def test_ring_queries_recover_the_planted_rings(typology, driver, small_output, resumed):
    file = REGISTRY[typology].query.file
    parameters(driver, CYPHER / file)  # the documented defaults are the ones the query uses
    score = score_ring_queries(driver, small_output)[typology]
    REPORTED.append(f"{file}: recall {score['recall']:.0%} of {score['rings']} {typology} rings, precision "
                    f"{score['precision']:.0%} of {score['groups']} returned groups (small preset, decoys present)")
    assert score["recall"] >= 0.95


def test_scoring_counts_groups_mostly_made_of_one_ring():
    rings = {1: {1, 2, 3, 4}, 2: {10, 11, 12}}
    recall, precision = recall_and_precision([{1, 2, 3}, {1, 99}, {50, 51, 10}], rings)
    assert (recall, precision) == (0.5, 2 / 3)


def test_precision_down_the_list_counts_other_typologies_rings_as_fraud_found():
    device_rings = {1: {1, 2, 3}, 2: {4, 5, 6}}
    every_ring = {**device_rings, 3: {20, 21}}  # 3: a takeover's victims, on the attacker's device
    ranked = [{1, 2, 3}, {20, 21}, {90, 91}, {4, 5}]
    assert precision_at_recall(ranked, device_rings) == 2 / 4
    assert precision_at_recall(ranked, device_rings, fraud=every_ring) == 3 / 4
    assert precision_at_recall(ranked[:3], device_rings, fraud=every_ring) is None  # 95% of the rings never found


def test_wrong_password_unreachable_server_and_unknown_database_exit_2(neo4j_server, small_output):
    cases = {
        "rejected the credentials": (neo4j_server.uri, "wrong-password-123", "neo4j"),
        "cannot reach": (f"bolt://127.0.0.1:{harness.free_port()}", NEO4J_PASSWORD, "neo4j"),
        "does not exist": (neo4j_server.uri, NEO4J_PASSWORD, "nosuchdb"),
    }
    for expected, (uri, password, database) in cases.items():
        result = subprocess.run([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(small_output), "--uri", uri,
                                 "--database", database], env={**os.environ, "NEO4J_PASSWORD": password},
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, (expected, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.stderr
        assert password not in result.stderr + result.stdout


def test_refuses_foreign_data_unless_wipe(resumed, neo4j_server, driver, tmp_path):
    tiny = tmp_path / "tiny"
    assert run_cli("build", "--users", "300", "--seed", "4", "--out", str(tiny), "-q").code == 0
    before = graph_counts(driver)
    refused = subprocess.run([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(tiny), "--uri", neo4j_server.uri],
                             env=cli_env(neo4j_server), capture_output=True, text=True)
    assert refused.returncode == 2 and "--wipe" in refused.stderr
    assert graph_counts(driver) == before
    wipe_database(driver, "neo4j")
    query(driver, "CREATE (:Customer {name: 'not from graphgen'})")
    foreign = subprocess.run([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(tiny), "--uri", neo4j_server.uri],
                             env=cli_env(neo4j_server), capture_output=True, text=True)
    assert foreign.returncode == 2 and "did not load" in foreign.stderr
    wiped = subprocess.run([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(tiny), "--uri", neo4j_server.uri, "--wipe"],
                           env=cli_env(neo4j_server), capture_output=True, text=True)
    assert wiped.returncode == 0, wiped.stderr
    assert query(driver, "MATCH (n:Customer) RETURN count(n) AS c")[0]["c"] == 0
    assert graph_counts(driver) == expected_counts(tiny)


def test_online_load_of_the_entity_graph_with_each_pairs_last_payments(neo4j_server, driver, small_output):
    wipe_database(driver, "neo4j")
    result = subprocess.run([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(small_output), "--uri", neo4j_server.uri,
                             "--payments", "aggregated", "--recent-payments", "2", "--batch-size", "3000"],
                            env=cli_env(neo4j_server), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    txns = pq.read_table(small_output / "transactions.parquet", columns=["txn_id", "src_account_id", "dst_account_id", "ts"]).to_pandas()
    last_two = set(txns.sort_values(["ts", "txn_id"]).groupby(["src_account_id", "dst_account_id"]).tail(2)["txn_id"])
    loaded = {r["id"] for r in query(driver, "MATCH (t:Transaction) RETURN t.txn_id AS id")}
    assert loaded == last_two and len(last_two) < len(txns)
    counts = graph_counts(driver)
    expected = expected_counts(small_output)
    assert counts["SENT"] == counts["RECEIVED_BY"] == len(last_two)
    assert counts["VIA_DEVICE"] == counts["VIA_IP"] == len(last_two) + expected["Event"]
    assert {k: counts[k] for k in ("User", "Account", "TRANSFERS_TO", "USES_DEVICE", "MEMBER_OF")} == \
        {k: expected[k] for k in ("User", "Account", "TRANSFERS_TO", "USES_DEVICE", "MEMBER_OF")}
    scores = score_ring_queries(driver, small_output)
    assert min(scores[t]["recall"] for t in ("device_sharing", "ip_recycling")) >= 0.95
    REPORTED.append("aggregated payments + last 2 per pair (small): ring query recall "
                    + ", ".join(f"{t} {s['recall']:.0%}" for t, s in scores.items()))
    # The database now holds another payment model of the same folder: a plain load must not mix the two.
    mixed = subprocess.run([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(small_output), "--uri", neo4j_server.uri],
                           env=cli_env(neo4j_server), capture_output=True, text=True)
    assert mixed.returncode == 2 and "--wipe" in mixed.stderr and graph_counts(driver) == counts
    bad = subprocess.run([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(small_output), "--uri", neo4j_server.uri,
                          "--recent-payments", "3"], env=cli_env(neo4j_server), capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--payments aggregated" in bad.stderr


@pytest.mark.parametrize("input_type, compress, payments", [("parquet", False, "nodes"), ("csv", True, "nodes"),
                                                            ("parquet", False, "aggregated")])
def test_bulk_bundle_imports_with_the_real_neo4j_admin(input_type, compress, payments, small_output, tmp_path):
    bundle = write_bundle(small_output, input_type=input_type, compress=compress, payments=payments)
    node_sets, rel_sets = graph_sets(payments)

    def header(stem: str) -> list[str]:
        if input_type == "parquet":
            return pq.read_schema(bundle / f"{stem}.parquet").names
        return (bundle / f"{stem}.header.csv").read_text().strip().split(",")

    for node in node_sets:
        names = header(f"nodes_{node.label.lower()}")
        assert names[0] == f"{node.key}:ID({node.label})" and names[-1] == ":LABEL"
    for rel in rel_sets:
        names = header(f"rels_{rel.name}")
        assert names[:2] == [f":START_ID({rel.start})", f":END_ID({rel.end})"] and names[-1] == ":TYPE"
    script = (bundle / "import.sh").read_text()
    arguments = import_arguments("neo4j", input_type, compress, payments)
    for argument in arguments:
        if argument.startswith("--"):
            assert argument in script
    home = tmp_path / "imported"
    result = harness.neo4j_admin(home, arguments, cwd=bundle)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "IMPORT DONE" in result.stdout + result.stderr
    server = harness.Neo4jServer(home, NEO4J_PASSWORD).start()
    try:
        with GraphDatabase.driver(server.uri, auth=(server.user, NEO4J_PASSWORD), notifications_min_severity="OFF") as d:
            for statement in schema_statements(payments):
                d.execute_query(statement)
            expected = {**expected_counts(small_output), META_LABEL: 0}  # no online load ran
            if payments == "aggregated":
                # Only the entity graph: no payment nodes, their relationships or their fraud labels.
                fraud_payments = int(pq.read_table(small_output / "labels/transactions.parquet", columns=["is_fraud"])[0].to_numpy().sum())
                expected.update({k: 0 for k in ("Transaction", "SENT", "RECEIVED_BY")}, VIA_DEVICE=expected["Event"],
                                VIA_IP=expected["Event"], GT_Fraud=expected["GT_Fraud"] - fraud_payments)
                assert graph_counts(d) == expected
                scores = score_ring_queries(d, small_output)
                assert min(scores[t]["recall"] for t in ("device_sharing", "ip_recycling")) >= 0.95
                return
            assert graph_counts(d) == expected
            first = d.execute_query("MATCH (t:Transaction) RETURN t.ts AS ts ORDER BY t.txn_id LIMIT 1").records[0]["ts"]
            published = pq.read_table(small_output / "transactions.parquet", columns=["txn_id", "ts"]).sort_by("txn_id")["ts"][0].as_py()
            # Both Parquet and the CSV text keep the millisecond.
            assert first.to_native() == published
            assert score_ring_queries(d, small_output)["kiting"]["recall"] >= 0.95, "the bulk-imported graph lost the cycles"
    finally:
        server.stop()
