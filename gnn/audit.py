"""``graphgen audit``: does any single column give the label away?

For every column of the tabular training set (each feature, the id, and the row order), a depth-3 decision
tree is fitted on that column alone and scored by cross-validated AUROC on each split. A column above the
threshold (0.85 by default) is flagged: a feature that strong alone is usually a leak, not a signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.metrics import roc_auc_score
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


def is_id(column: str) -> bool:
    return column in ID_COLUMNS or column == ROW_ORDER
