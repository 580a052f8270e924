"""``pna``: edge-aware, degree-aware message passing on the users' raw features and the graph, the device and IP
windows and payment times on its edges (gnn.hetero.EdgeAwareNet)."""

from __future__ import annotations

from gnn.hetero import gnn_scores
from gnn.benchrun import MODELS, BenchRun, Scores


@MODELS.register("pna")
def pna(run: BenchRun) -> Scores:
    return gnn_scores(run, "pna")
