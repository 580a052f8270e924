"""``graphgen audit``: does any single column give the label away, or any single structural signal a ring?

For every column of the tabular training set (each feature, the id, and the row order), a depth-3 decision
tree is fitted on that column alone and scored by cross-validated AUROC on each split. A column above the
threshold (0.85 by default) is flagged: a feature that strong alone is usually a leak, not a signal.

The structural section takes each typology's candidate objects (:mod:`gnn.structure`: shared devices, shared
IPs, time-ordered money cycles) and, for each structural signal, the single threshold that best separates
ring objects from legitimate ones, with its recall, precision and F1. A signal with F1 near 1 is a ring
that one rule finds: the look-alikes do not cover it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.metrics import precision_recall_curve, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.tree import DecisionTreeClassifier

from gnn.splits import SPLITS
from gnn.tabular import ID_COLUMNS, LABEL_COLUMNS

ROW_ORDER = "(row order)"


@dataclass
class ColumnAudit:
    column: str
    auroc: dict[str, float]  # per split

    @property
    def worst(self) -> float:
        return max(self.auroc.values())


def single_column_auroc(x: np.ndarray, y: np.ndarray, seed: int = 0) -> float:
    """Cross-validated AUROC of a small tree that sees only ``x``."""
    if y.min() == y.max() or np.all(x == x[0]):
        return 0.5
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    tree = DecisionTreeClassifier(max_depth=3, class_weight="balanced", random_state=seed)
    scores = cross_val_predict(tree, np.nan_to_num(x.astype(float)).reshape(-1, 1), y, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, scores))


def audit_tables(tables: dict[str, pa.Table]) -> list[ColumnAudit]:
    """Audit every non-label column (features, ids) plus the row order of each split's user table."""
    results: dict[str, dict[str, float]] = {}
    for split, table in tables.items():
        y = table.column("label").to_numpy(zero_copy_only=False).astype(int)
        columns = [c for c in table.column_names if c not in LABEL_COLUMNS]
        for name in columns:
            results.setdefault(name, {})[split] = single_column_auroc(table.column(name).to_numpy(zero_copy_only=False), y)
        results.setdefault(ROW_ORDER, {})[split] = single_column_auroc(np.arange(table.num_rows), y)
    return sorted((ColumnAudit(c, a) for c, a in results.items()), key=lambda a: -a.worst)


def audit(root: str | Path) -> list[ColumnAudit]:
    """Audit ``ROOT/tabular`` (written by ``graphgen export tabular``, built first when missing)."""
    from gnn.tabular import write_tabular

    folder = Path(root) / "tabular"
    if not (folder / "features.json").is_file():
        write_tabular(root)
    return audit_tables({s: pq.read_table(folder / f"users_{s}.parquet") for s in SPLITS})


@dataclass
class SignalAudit:
    typology: str
    signal: str
    rule: str  # e.g. "burst_users >= 6"
    recall: float
    precision: float
    f1: float
    ring_objects: int
    objects: int


def best_threshold(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, str, float]:
    """The single threshold on ``x`` (either direction) with the best F1 for ``y``: ``(f1, recall, precision,
    direction, threshold)``."""
    best = (0.0, 0.0, 0.0, ">=", float("nan"))
    if not y.any() or y.all():
        return best
    for sign, direction in ((1, ">="), (-1, "<=")):
        precision, recall, thresholds = precision_recall_curve(y, sign * x)
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        i = int(np.argmax(f1[:-1]))
        if f1[i] > best[0]:
            best = (float(f1[i]), float(recall[i]), float(precision[i]), direction, float(sign * thresholds[i]))
    return best


def structural_audit(root: str | Path) -> list[SignalAudit]:
    """Best single-threshold detector on each structural signal of each typology (whole horizon)."""
    from graphgen.output import read_graph
    from gnn.structure import SIGNALS, VERDICT

    graph = read_graph(root)
    snapshot = graph.config.horizon_ms()[1] + 1
    out = []
    for typology, signals in SIGNALS.items():
        table = signals(graph, snapshot)
        y = (table["ring"] >= 0).to_numpy()
        for name in table.columns:
            if name in VERDICT:
                continue
            f1, recall, precision, direction, threshold = best_threshold(table[name].to_numpy(float), y)
            out.append(SignalAudit(typology, name, f"{name} {direction} {threshold:.3g}", recall, precision, f1, int(y.sum()), len(y)))
    return out


def is_id(column: str) -> bool:
    return column in ID_COLUMNS or column == ROW_ORDER
