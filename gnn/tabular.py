"""The tabular training set: per-user and per-transaction feature tables for train, validation and test.

``users_<split>.parquet`` holds the users observed at that split's cutoff, ``transactions_<split>.parquet``
the transactions made between the previous cutoff and this one. Columns: the id, the label columns
(``label``: what was known at the cutoff, the true label for test; ``is_fraud``: the truth; ``typology``),
then features, ``raw_*`` and ``graph_*`` (listed in ``features.json``). Features only use what happened
before the cutoff (for transactions: the transaction itself and the graph as of the period's start).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from graphgen.graph import EntityGraph, col
from graphgen.output import read_graph
from graphgen.sampling import DAY, HOUR, pair_key, starts_of_runs
from graphgen.writers import staged_folder
from graphgen.vocab import CHANNELS
from gnn.features import GraphArrays, feature_groups, user_features
from gnn.splits import SPLITS, Split, Truth, cutoffs, make_splits

LABEL_COLUMNS = ("label", "is_fraud", "typology")  # never features
ID_COLUMNS = ("user_id", "txn_id")


@dataclass
class TrainingSet:
    """Per-split user feature tables (numpy) plus what produced them."""

    splits: dict[str, Split]
    users: dict[str, dict[str, np.ndarray]]  # split -> column -> values for that split's users
    feature_names: dict[str, list[str]]  # "raw" / "graph" -> columns
    kind: str
    seed: int


def build_training_set(graph: EntityGraph, kind: str = "temporal", seed: int = 0,
                       arrays: GraphArrays | None = None,
                       at_cutoff: dict[int, dict[str, np.ndarray]] | None = None) -> TrainingSet:
    """User features for every split. ``at_cutoff`` caches features per cutoff across seeds."""
    splits = make_splits(graph, kind, seed)
    arrays = arrays or GraphArrays(graph)
    at_cutoff = {} if at_cutoff is None else at_cutoff
    users = {}
    for name, split in splits.items():
        if split.cutoff not in at_cutoff:
            at_cutoff[split.cutoff] = user_features(arrays, split.cutoff)
        features = at_cutoff[split.cutoff]
        users[name] = {"user_id": split.users, "label": split.label, "is_fraud": split.is_fraud,
                       "typology": split.typology, **{k: v[split.users] for k, v in features.items()}}
    names = feature_groups(next(iter(at_cutoff.values())))
    return TrainingSet(splits, users, names, kind, seed)


def _transaction_tables(graph: EntityGraph, arrays: GraphArrays) -> dict[str, pa.Table]:
    start, _ = graph.config.horizon_ms()
    cut = cutoffs(graph.config)
    txns = graph.transactions
    ts = col(txns, "ts")
    truth = Truth.of(graph.labels["transaction"])
    src, dst, payer = col(txns, "src_account_id"), col(txns, "dst_account_id"), col(txns, "user_id")
    amount = col(txns, "amount")
    channel = pc.index_in(txns.column("channel"), value_set=pa.array(CHANNELS)).to_numpy(zero_copy_only=False)
    # Payments already made on the same account pair before this one (rows are in time order).
    pair = pair_key(src, dst)
    order = np.argsort(pair, kind="stable")
    runs = starts_of_runs(pair[order])
    run_start = np.maximum.accumulate(np.where(runs, np.arange(len(order)), 0))
    prior = np.empty(len(order), dtype=np.int64)
    prior[order] = np.arange(len(order)) - run_start

    tables, previous = {}, start
    for name in SPLITS:
        rows = slice(int(np.searchsorted(ts, previous)), int(np.searchsorted(ts, cut[name])))
        graph_then = {k: v for k, v in user_features(arrays, previous).items() if k.startswith("graph_")}
        columns = {
            "txn_id": col(txns, "txn_id")[rows], "label": truth.known(rows, name, cut[name]),
            "is_fraud": truth.is_fraud[rows].astype(np.int8), "typology": truth.typology[rows],
            "raw_log_amount": np.log1p(amount[rows]),
            "raw_round_amount": (np.round(amount[rows] * 100) % 1000 == 0).astype(float),
            "raw_hour": ((ts[rows] // HOUR) % 24).astype(float),
            **{f"raw_channel_{c}": (channel[rows] == i).astype(float) for i, c in enumerate(CHANNELS)},
            "raw_src_account_age_days": (ts[rows] - arrays.opened[src[rows]]) / DAY,
            "raw_dst_account_age_days": (ts[rows] - arrays.opened[dst[rows]]) / DAY,
            "raw_payer_age_days": (ts[rows] - arrays.created[payer[rows]]) / DAY,
            "graph_pair_prior_payments": prior[rows].astype(float),
            **{f"graph_payer_{k.removeprefix('graph_')}": v[payer[rows]] for k, v in graph_then.items()},
        }
        tables[name] = pa.table(columns)
        previous = cut[name]
    return tables


STEPS = ("read", "user features", "transaction features", "write")


def write_tabular(root: str | Path, kind: str = "temporal", seed: int = 0, verify: bool = True,
                  on_step: Callable[[str], None] = lambda step: None) -> Path:
    """Write ``ROOT/tabular/`` (atomically: a staging folder is moved into place at the end).

    ``on_step`` is called with each of :data:`STEPS` once it is done (for progress bars).
    """
    graph = read_graph(root, verify)
    on_step(STEPS[0])
    arrays = GraphArrays(graph)
    training = build_training_set(graph, kind, seed, arrays)
    on_step(STEPS[1])
    with staged_folder(Path(root) / "tabular") as staging:
        for name, columns in training.users.items():
            pq.write_table(pa.table(columns), staging / f"users_{name}.parquet", compression="zstd")
        txn_tables = _transaction_tables(graph, arrays)
        on_step(STEPS[2])
        for name, table in txn_tables.items():
            pq.write_table(table, staging / f"transactions_{name}.parquet", compression="zstd")
        txn_features = [c for c in txn_tables["train"].column_names if c.startswith(("raw_", "graph_"))]
        (staging / "features.json").write_text(json.dumps({
            "split": kind, "seed": seed, "cutoffs": {k: s.cutoff for k, s in training.splits.items()},
            "users": training.feature_names,
            "transactions": {"raw": [c for c in txn_features if c.startswith("raw_")],
                             "graph": [c for c in txn_features if c.startswith("graph_")]},
            "label_columns": list(LABEL_COLUMNS), "id_columns": list(ID_COLUMNS),
        }, indent=2) + "\n")
    on_step(STEPS[3])
    return Path(root) / "tabular"
