"""``xgb_raw``: XGBoost on the users' raw features: their own attributes and transactions."""

from __future__ import annotations

from gnn.benchrun import MODELS, BenchRun, Scores, fit_xgboost


@MODELS.register("xgb_raw")
def xgb_raw(run: BenchRun) -> Scores:
    return fit_xgboost(run, run.raw)
