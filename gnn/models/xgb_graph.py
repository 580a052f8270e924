"""``xgb_graph``: XGBoost on raw features plus the hand-built graph features."""

from __future__ import annotations

from gnn.benchrun import MODELS, BenchRun, Scores, fit_xgboost


@MODELS.register("xgb_graph")
def xgb_graph(run: BenchRun) -> Scores:
    return fit_xgboost(run, run.with_graph)
