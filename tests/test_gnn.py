"""Training sets, splits, the PyG dataset, the GNN models, `graphgen bench` and `graphgen audit`."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
from sklearn.metrics import average_precision_score

import graphgen
from graphgen.config import resolve_config
from graphgen.graph import EntityGraph, col
from graphgen.sampling import DAY
from graphgen.output import read_graph
from gnn.features import GraphArrays, user_features
from gnn.hetero import ARCHITECTURES, predict, train_gnn
from gnn.models import MODELS, BenchRun
from gnn.benchrun import fit_xgboost
from gnn.pyg import DATASET_FILE, static_features, graph_structure, read_dataset, window_attributes, write_pyg
from gnn.splits import SPLITS, make_splits
from gnn.tabular import LABEL_COLUMNS, build_training_set, write_tabular
from tests.conftest import run_cli

FORBIDDEN = {"label", "is_fraud", "typology", "ring_id", "role", "user_id", "txn_id", "fraud_confirmed_at"}


@pytest.fixture(scope="module")
def graph(small_output):
    return read_graph(small_output)


@pytest.fixture(scope="module")
def tabular(small_output):
    return write_tabular(small_output)


@pytest.fixture(scope="module")
def dataset(small_output):
    write_pyg(small_output)
    return read_dataset(small_output)


def test_splits_are_disjoint_and_respect_creation_and_label_delay(graph):
    splits = make_splits(graph, "temporal", seed=0)
    users = [set(s.users) for s in splits.values()]
    assert not (users[0] & users[1]) and not (users[0] & users[2]) and not (users[1] & users[2])
    assert sum(map(len, users)) == graph.num_nodes("user")
    created = col(graph.nodes["user"], "created_at")
    truth = graph.labels["user"]
    confirmed = truth.column("fraud_confirmed_at").cast("int64").fill_null(np.iinfo(np.int64).max).to_numpy()
    for name, split in splits.items():
        assert (created[split.users] < split.cutoff).all(), "a user observed before signing up"
        if name == "test":
            assert (split.label == split.is_fraud).all()
        else:  # label delay: positive only once confirmed by the cutoff
            assert (split.label.astype(bool) == (confirmed[split.users] <= split.cutoff)).all()
    assert splits["train"].is_fraud.sum() > splits["train"].label.sum(), "some fraud is not yet confirmed at the train cutoff"
    assert 0.5 < len(splits["train"].users) / graph.num_nodes("user") < 0.7


def pd_ts(ms: int):
    import pandas as pd

    return pd.Timestamp(ms, unit="ms", tz="UTC")


def test_ring_grouped_split_keeps_each_ring_on_one_side(graph):
    splits = make_splits(graph, "ring", seed=1)
    ring = graph.labels["user"].column("ring_id").fill_null(-1).to_numpy()
    side = {}
    for name, split in splits.items():
        for r in set(ring[split.users]) - {-1}:
            assert side.setdefault(r, name) == name, f"ring {r} on both sides"
    assert len(side) == graph.labels["ring"].num_rows


def truncated_at(graph: EntityGraph, cutoff: int) -> EntityGraph:
    """The graph as it would have been recorded up to ``cutoff``: later payments, events and device or IP uses
    gone, windows still open at the cutoff cut there."""
    truncated = EntityGraph(nodes=graph.nodes, edges=dict(graph.edges), labels=graph.labels, config=graph.config)
    txns = graph.transactions
    truncated.transactions = txns.slice(0, int(np.searchsorted(col(txns, "ts"), cutoff)))
    truncated.events = graph.events.slice(0, int(np.searchsorted(col(graph.events, "ts"), cutoff)))
    for name in ("uses_device", "uses_ip"):
        table = graph.edges[name]
        kept = table.filter(pa.array(col(table, "first_seen") < cutoff))
        truncated.edges[name] = kept.set_column(3, "last_seen", pa.array(np.minimum(col(kept, "last_seen"), cutoff)).cast(kept.schema.field("last_seen").type))
    return truncated


def test_features_only_use_what_happened_before_the_cutoff(graph):
    """Features at a cutoff are the same whether or not the data after it exists."""
    cutoff = make_splits(graph)["train"].cutoff
    full = user_features(GraphArrays(graph), cutoff)
    cut = user_features(GraphArrays(truncated_at(graph, cutoff)), cutoff)
    for name in full:
        np.testing.assert_allclose(full[name], cut[name], err_msg=name)


def test_edge_features_only_use_what_happened_before_the_cutoff(graph):
    """A GNN's edge attributes (device and IP windows, how they overlap other users', payment times) at a cutoff
    are the same whether or not later device uses and payments exist, even one planted on a shared device."""
    cutoff = make_splits(graph)["train"].cutoff
    uses = graph.edges["uses_device"]
    device = col(uses, "device_id")[np.argmax(col(uses, "first_seen") < cutoff)]  # a device in use before the cutoff
    planted = uses.slice(0, 1).to_pydict()
    planted.update(user_id=[graph.num_nodes("user") - 1], device_id=[device], first_seen=[cutoff + 1], last_seen=[cutoff + 10])
    future = EntityGraph(nodes=graph.nodes, edges=dict(graph.edges), transactions=graph.transactions, events=graph.events,
                         labels=graph.labels, config=graph.config)
    future.edges["uses_device"] = pa.concat_tables([uses, pa.table(planted, schema=uses.schema)])
    static = static_features(graph)
    seen = graph_structure(future, GraphArrays(future), cutoff, static)
    truncated = truncated_at(graph, cutoff)
    recorded = graph_structure(truncated, GraphArrays(truncated), cutoff, static)
    assert len(graph.transactions) > len(truncated.transactions)  # there is a future to leak
    for edge in recorded.edge_types:
        np.testing.assert_array_equal(seen[edge].edge_index.numpy(), recorded[edge].edge_index.numpy(), err_msg=str(edge))
        if "edge_attr" in recorded[edge]:
            np.testing.assert_allclose(seen[edge].edge_attr.numpy(), recorded[edge].edge_attr.numpy(), err_msg=str(edge))


def test_window_attributes_say_who_overlapped_and_how_close_they_arrived():
    # Device 0: windows [0, 10], [2, 3] and [20, 30] days; device 1: two users arriving on day 5.
    links = {"user": np.arange(5), "node": np.array([0, 0, 0, 1, 1]),
             "first": np.array([0, 2, 20, 5, 5]) * DAY, "last": np.array([10, 3, 30, 6, 7]) * DAY}
    attributes = np.expm1(window_attributes(links, cutoff=40 * DAY))
    first_ago, last_ago, span, overlapping, nearest, arrived_before = attributes.T.round(6)
    np.testing.assert_array_equal(first_ago, [40, 38, 20, 35, 35])
    np.testing.assert_array_equal(last_ago, [30, 37, 10, 34, 33])
    np.testing.assert_array_equal(span, [10, 1, 10, 1, 2])
    np.testing.assert_array_equal(overlapping, [1, 1, 0, 1, 1])
    np.testing.assert_array_equal(nearest, [2, 2, 18, 0, 0])
    np.testing.assert_array_equal(arrived_before, [0, 1, 2, 0, 0])


def test_tabular_export_round_trips_and_keeps_labels_out_of_features(small_output, tabular, graph):
    meta = json.loads((tabular / "features.json").read_text())
    training = build_training_set(graph, meta["split"], meta["seed"])
    for split in SPLITS:
        users = pq.read_table(tabular / f"users_{split}.parquet").to_pandas()
        np.testing.assert_array_equal(users["user_id"], training.users[split]["user_id"])
        np.testing.assert_array_equal(users["label"], training.users[split]["label"])
        for name in meta["users"]["raw"] + meta["users"]["graph"]:
            np.testing.assert_allclose(users[name], training.users[split][name], err_msg=name)
        txns = pq.read_table(tabular / f"transactions_{split}.parquet")
        assert txns.num_rows > 0 and set(LABEL_COLUMNS) <= set(txns.column_names)
    for table in ("users", "transactions"):
        features = meta[table]["raw"] + meta[table]["graph"]
        assert features and not (set(features) & FORBIDDEN)
        assert all(f.startswith(("raw_", "graph_")) for f in features)
    users = pq.read_table(tabular / "users_train.parquet").to_pandas()
    for name in meta["users"]["raw"] + meta["users"]["graph"]:  # nothing is a copy of the label
        assert not np.array_equal(users[name].to_numpy(), users["label"].to_numpy()), name
    # Transaction splits follow time.
    cuts = meta["cutoffs"]
    ts = col(graph.transactions, "ts")
    for split, previous in zip(SPLITS, [None, "train", "val"]):
        ids = pq.read_table(tabular / f"transactions_{split}.parquet", columns=["txn_id"]).column(0).to_numpy()
        assert (ts[ids] < cuts[split]).all() and (previous is None or (ts[ids] >= cuts[previous]).all())


def test_pyg_dataset_round_trips_with_plain_torch_load(small_output, dataset):
    raw = torch.load(small_output / "pyg" / DATASET_FILE, weights_only=True)
    assert set(raw["graphs"]) == set(SPLITS)
    train = dataset.graphs["train"]
    assert set(train.node_types) == {"user", "device", "account", "ip", "phone", "address"}
    for rel in ("uses_device", "uses_ip", "has_account", "transfers_to", "has_phone", "lives_at"):
        assert any(et[1] == rel for et in train.edge_types) and any(et[1] == f"rev_{rel}" for et in train.edge_types)
    assert train["user"].x.shape[1] == len(dataset.feature_names) and torch.isfinite(train["user"].x).all()
    masks = [train["user"][f"{s}_mask"] for s in SPLITS]
    assert not (masks[0] & masks[1]).any() and not (masks[0] & masks[2]).any() and not (masks[1] & masks[2]).any()
    for g in dataset.graphs.values():  # the same masks in every graph
        for s, m in zip(SPLITS, masks):
            assert torch.equal(g["user"][f"{s}_mask"], m)


def test_no_edge_after_the_cutoff_in_a_training_graph(dataset, graph):
    cut = make_splits(graph)["train"].cutoff
    train = dataset.graphs["train"]
    uses = graph.edges["uses_device"].to_pandas()
    before = uses[uses["first_seen"] < pd_ts(cut)]
    index = train["user", "uses_device", "device"].edge_index.numpy()
    assert index.shape[1] == len(before)
    assert set(zip(index[0], index[1])) == set(zip(before["user_id"], before["device_id"]))
    txns = graph.transactions.to_pandas()
    pairs = set(zip(*[txns[txns["ts"] < pd_ts(cut)][c] for c in ("src_account_id", "dst_account_id")]))
    index = train["account", "transfers_to", "account"].edge_index.numpy()
    assert set(zip(index[0], index[1])) == pairs
    late_users = np.flatnonzero(col(graph.nodes["user"], "created_at") >= cut)
    assert not np.isin(train["user", "uses_ip", "ip"].edge_index[0].numpy(), late_users).any()
    assert len(dataset.graphs["test"]["account", "transfers_to", "account"].edge_index[0]) > index.shape[1]


def test_a_gnn_trained_a_few_epochs_beats_random(dataset):
    test = dataset.graphs["test"]
    mask = test["user"].test_mask.numpy()
    y = test["user"].y.numpy()[mask]
    for architecture in ARCHITECTURES:
        result = train_gnn(architecture, dataset.graphs["train"], dataset.graphs["val"], seed=0, epochs=15)
        auprc = average_precision_score(y, predict(result.model, test)[mask])
        assert auprc > 3 * y.mean(), f"{architecture}: AUPRC {auprc:.3f} vs random {y.mean():.3f}"


def test_bench_runs_end_to_end_on_small(small_output, tmp_path):
    report = tmp_path / "report"
    result = run_cli("bench", str(small_output), "--seeds", "1", "--epochs", "8", "--out", str(report))
    assert result.code == 0, result.stderr
    results = json.loads((report / "results.json").read_text())
    assert set(results["summary"]) == set(MODELS.names())
    test = results["splits"]["test"]
    random_auprc = test["positives"] / test["users"]
    for name, summary in results["summary"].items():
        assert summary["auprc"]["mean"] > 2 * random_auprc, (name, summary["auprc"], random_auprc)
        assert summary["auroc"]["mean"] > 0.6, name
        assert summary["seconds"]["mean"] > 0
    text = (report / "report.md").read_text()
    assert "| model | AUPRC |" in text and "label delay" in text
    for png in ("pr_curves.png", "recall_by_typology.png"):
        assert (report / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = run_cli("bench", str(small_output), "--models", "xgb_raw,transformer")
    assert bad.code == 2 and "transformer" in bad.stderr


def test_audit_catches_a_planted_leak(small_output, tabular, tmp_path):
    # Whether clean data passes is checked on `default` below: `small` has too few positives per split
    # for single-column AUROCs to be stable.
    clean = run_cli("audit", str(small_output))
    assert clean.code == 0
    clean_flagged = clean.stdout.count("LEAK?")
    path = tabular / "users_train.parquet"
    original = path.read_bytes()
    try:
        table = pq.read_table(path)
        rng = np.random.default_rng(0)
        label = table.column("label").to_numpy()
        leak = label + rng.normal(0, 0.3, len(label))  # "days until the account was frozen", say
        pq.write_table(table.append_column("graph_days_to_freeze", pa.array(leak)), path)
        flagged = run_cli("audit", str(small_output), "--strict")
        assert flagged.code == 1
        row = next(line for line in flagged.stdout.splitlines() if "graph_days_to_freeze" in line)
        assert "LEAK?" in row and flagged.stdout.count("LEAK?") == clean_flagged + 1
    finally:
        path.write_bytes(original)


@pytest.mark.slow
def test_default_preset_passes_the_audit(tmp_path):
    out = tmp_path / "default"
    assert run_cli("build", "--preset", "default", "--out", str(out), "-q").code == 0
    result = run_cli("audit", str(out), "--strict")
    assert result.code == 0, result.stdout


def test_difficulty_moves_how_hard_the_task_is():
    scores = {}
    for level in ("easy", "hard"):
        config = resolve_config("fraud_heavy", overrides={"users": 20_000, "seed": 11, "difficulty": level})
        graph = graphgen.generate(config)
        training = build_training_set(graph, "temporal", seed=0)
        s = fit_xgboost(BenchRun(graph, GraphArrays(graph), training, 0, 1, {}, {}), training.feature_names["raw"])
        scores[level] = average_precision_score(training.splits["test"].label, s.test)
    assert scores["easy"] > scores["hard"] + 0.1, scores


def test_hyper_parameter_search_runs_end_to_end_on_small(small_output, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parents[1] / "benchmarks" / "search_gnn.py"
    result = subprocess.run([sys.executable, str(script), "--root", str(small_output), "--architectures", "sage",
                             "--grid", "tiny", "--seeds", "1", "--epochs", "4", "--out", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    found = json.loads((tmp_path / "search.json").read_text())
    tried = found["tried"]["sage"]
    assert sorted(r["hidden"] for r in tried) == [16, 32]  # the tiny grid, each setting once
    chosen = found["chosen"]["sage"]
    assert chosen["val_auprc"] == max(r["val_auprc"] for r in tried)
    assert "Chosen: hidden" in (tmp_path / "search.md").read_text()
