"""``pna_graph``: the ``pna`` network with the raw and the hand-built graph features as user inputs."""

from __future__ import annotations

from gnn.hetero import gnn_scores
from gnn.benchrun import MODELS, BenchRun, Scores


@MODELS.register("pna_graph")
def pna_graph(run: BenchRun) -> Scores:
    return gnn_scores(run, "pna", inputs="with_graph")
