"""``sage``: heterogeneous GraphSAGE on the users' raw features and the graph (mean aggregation)."""

from __future__ import annotations

from gnn.hetero import gnn_scores
from gnn.benchrun import MODELS, BenchRun, Scores


@MODELS.register("sage")
def sage(run: BenchRun) -> Scores:
    return gnn_scores(run, "sage")
