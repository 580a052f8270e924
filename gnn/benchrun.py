"""What every bench model receives and returns, the model registry, and the XGBoost fit models share."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphgen.graph import EntityGraph
from graphgen.registry import Registry
from gnn.features import GraphArrays
from gnn.tabular import TrainingSet

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class Scores:
    val: np.ndarray  # scores of the validation users, in split order
    test: np.ndarray  # scores of the test users
    reused_seconds: float = 0.0  # time spent earlier (by another model, or another seed) on work this one reused


@dataclass
class BenchRun:
    """One seed of the bench: the graph, its split assignment and features, and what models share."""

    graph: EntityGraph
    arrays: GraphArrays
    training: TrainingSet
    seed: int
    epochs: int | None  # caps every GNN's epochs; None: each trains for its own setting
    at_cutoff: dict[int, dict[str, np.ndarray]]  # user features per cutoff, shared across seeds
    structures: dict  # what does not depend on the seed, per cutoff (PyG graph structure, rule scores), shared across seeds
    shared: dict[str, Any] = field(default_factory=dict)  # within one seed: datasets, trained encoders

    @property
    def raw(self) -> list[str]:
        return self.training.feature_names["raw"]

    @property
    def with_graph(self) -> list[str]:
        return self.training.feature_names["raw"] + self.training.feature_names["graph"]

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()`` the first time ``key`` is asked for in this seed; the same object afterwards."""
        if key not in self.shared:
            self.shared[key] = make()
        return self.shared[key]


ModelFn = Callable[[BenchRun], Scores]
MODELS: Registry[ModelFn] = Registry("bench model")


def fit_xgboost(run: BenchRun, columns: list[str], extra: dict[str, np.ndarray] | None = None) -> Scores:
    """XGBoost on the users' ``columns`` (plus ``extra`` per split), early-stopping on validation AUPRC."""
    import xgboost as xgb

    training = run.training

    def features(split: str) -> np.ndarray:
        x = np.column_stack([training.users[split][c] for c in columns]).astype(np.float32)
        return x if extra is None else np.hstack([x, extra[split]])

    train_y = training.splits["train"].label
    positives = max(float(train_y.sum()), 1.0)
    model = xgb.XGBClassifier(
        n_estimators=400, max_depth=4, learning_rate=0.05, subsample=0.8, colsample_bytree=0.8,
        scale_pos_weight=(len(train_y) - positives) / positives, eval_metric="aucpr", early_stopping_rounds=40,
        random_state=run.seed, n_jobs=CORES, tree_method="hist")
    model.fit(features("train"), train_y, eval_set=[(features("val"), training.splits["val"].label)], verbose=False)
    return Scores(model.predict_proba(features("val"))[:, 1], model.predict_proba(features("test"))[:, 1])
