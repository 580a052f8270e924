"""``xgb_neighbours``: XGBoost on the raw features and their neighbourhood aggregates, no hand-built graph
features (GADBench's tree-ensemble reference): two rounds of mean and max over every edge type of the PyG graph,
edge attributes included, and the degree."""

from __future__ import annotations

import numpy as np
import torch

from gnn.benchrun import MODELS, BenchRun, Scores, fit_xgboost
from gnn.hetero import aggregate, bench_graphs, edge_attr, masks
from gnn.splits import SPLITS

HOPS = 2


def neighbourhood_aggregates(data, hops: int = HOPS) -> np.ndarray:
    """Per user: for each round, the mean and max of what every edge type brings in (the sender's features of the
    round before and the edge's attributes) and the log-degree. Parameter-free message passing."""
    h = {t: data[t].x for t in data.node_types}
    for hop in range(hops):
        targets = data.node_types if hop < hops - 1 else ["user"]  # the last round is only needed at users
        after = {}
        for t in targets:
            parts = [h[t]]
            for edge in data.edge_types:
                if edge[2] != t:
                    continue
                index = data[edge].edge_index
                n = h[t].shape[0]
                message = torch.cat([h[edge[0]][index[0]], edge_attr(data, edge)], dim=1)
                parts += aggregate(message, index[1], n)
            after[t] = torch.cat(parts, dim=1)
        h = after
    return h["user"][:, data["user"].x.shape[1]:].numpy()  # the user's own raw features come in as columns


@MODELS.register("xgb_neighbours")
def xgb_neighbours(run: BenchRun) -> Scores:
    graphs = bench_graphs(run)
    mask = masks(graphs)
    with torch.no_grad():
        extra = {s: neighbourhood_aggregates(graphs[s])[mask[s]] for s in SPLITS}
    return fit_xgboost(run, run.raw, extra=extra)
