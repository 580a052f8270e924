"""``sage_xgb``: the SAGE user embeddings next to the raw features, fed to XGBoost."""

from __future__ import annotations

from gnn.hetero import bench_graphs, embeddings, masks, trained
from gnn.benchrun import MODELS, BenchRun, Scores, fit_xgboost
from gnn.splits import SPLITS


@MODELS.register("sage_xgb")
def sage_xgb(run: BenchRun) -> Scores:
    graphs = bench_graphs(run)
    result, reused_seconds = trained(run, "sage")  # the encoder `sage` trained for this seed, if it ran first
    mask = masks(graphs)
    emb = {s: embeddings(result.model, graphs[s])[mask[s]] for s in SPLITS}
    scores = fit_xgboost(run, run.raw, extra=emb)
    scores.reused_seconds = reused_seconds
    return scores
