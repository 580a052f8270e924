"""``gat``: heterogeneous GAT on the users' raw features and the graph (attention over neighbours)."""

from __future__ import annotations

from gnn.hetero import gnn_scores
from gnn.benchrun import MODELS, BenchRun, Scores


@MODELS.register("gat")
def gat(run: BenchRun) -> Scores:
    return gnn_scores(run, "gat")
