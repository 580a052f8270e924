"""Heterogeneous GraphSAGE and GAT (PyG ``to_hetero``), trained full-batch on CPU, and what the bench models
built on them share within one seed (the PyG graphs, trained encoders).

Class-weighted loss (positives are rare), early stopping on validation AUPRC, the best epoch's weights
kept. Training runs on the ``train`` graph, validation on the ``val`` graph: the model never sees an edge
from after the cutoff it is evaluated at.
"""

from __future__ import annotations

import copy
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.metrics import average_precision_score

with warnings.catch_warnings():  # torch deprecates torch.jit.script, which PyG still calls while importing
    warnings.filterwarnings("ignore", message=".*torch.jit.script.* is deprecated")
    from torch_geometric.data import HeteroData
    from torch_geometric.nn import GATConv, SAGEConv, to_hetero

from gnn.benchrun import CORES, BenchRun, Scores
from gnn.pyg import build_dataset
from gnn.splits import SPLITS

ARCHITECTURES = ("sage", "gat")
HIDDEN, LAYERS, DROPOUT = 32, 2, 0.2


class _Stack(torch.nn.Module):
    """Message-passing layers with ReLU and dropout in between (made heterogeneous by ``to_hetero``)."""

    def __init__(self, architecture: str, hidden: int, layers: int, dropout: float):
        super().__init__()
        if architecture == "sage":
            self.convs = torch.nn.ModuleList(SAGEConv((-1, -1), hidden) for _ in range(layers))
        else:
            self.convs = torch.nn.ModuleList(GATConv((-1, -1), hidden, add_self_loops=False) for _ in range(layers))
        self.dropout = torch.nn.Dropout(dropout)  # a module, so that to_hetero's tracing keeps train/eval modes

    def forward(self, x, edge_index):
        for i, conv in enumerate(self.convs):
            x = conv(x, edge_index)
            if i < len(self.convs) - 1:
                x = self.dropout(x.relu())
        return x


class UserClassifier(torch.nn.Module):
    """A heterogeneous GNN encoder followed by a linear fraud score on user nodes."""

    def __init__(self, architecture: str, metadata, hidden: int = HIDDEN, layers: int = LAYERS, dropout: float = DROPOUT):
        super().__init__()
        if architecture not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {architecture!r}")
        self.encoder = to_hetero(_Stack(architecture, hidden, layers, dropout), metadata, aggr="sum")
        self.head = torch.nn.Linear(hidden, 1)

    def embed(self, data: HeteroData) -> torch.Tensor:
        return self.encoder(data.x_dict, data.edge_index_dict)["user"]

    def forward(self, data: HeteroData) -> torch.Tensor:
        return self.head(torch.relu(self.embed(data))).squeeze(-1)


@dataclass
class TrainResult:
    model: UserClassifier
    best_epoch: int
    best_val_auprc: float
    epochs_run: int
    history: list[float] = field(default_factory=list)


def train_gnn(architecture: str, train: HeteroData, val: HeteroData, seed: int, epochs: int = 40, patience: int = 10,
              lr: float = 0.03, hidden: int = HIDDEN, weight_decay: float = 1e-4, validate_every: int = 2) -> TrainResult:
    """Train on ``train`` (its ``train_mask`` users), early-stopping on ``val`` (its ``val_mask`` users).

    Validation AUPRC is measured every ``validate_every`` epochs (and after the last); training stops once
    it has not improved for ``patience`` epochs.
    """
    torch.set_num_threads(CORES)  # one thread per core we may use: over-subscription makes fitting many times slower
    torch.manual_seed(seed)
    model = UserClassifier(architecture, train.metadata(), hidden=hidden)
    with torch.no_grad():
        model(train)  # materialise the lazy input sizes
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    mask = train["user"].train_mask
    y = train["user"].y[mask].float()
    positives = float(y.sum())
    pos_weight = torch.tensor((len(y) - positives) / max(positives, 1.0))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    val_mask, val_y = val["user"].val_mask, val["user"].y[val["user"].val_mask].numpy()
    best = TrainResult(model, -1, -1.0, 0)
    best_state = copy.deepcopy(model.state_dict())
    for epoch in range(epochs):
        model.train()
        optimizer.zero_grad()
        loss = loss_fn(model(train)[mask], y)
        loss.backward()
        optimizer.step()
        best.epochs_run = epoch + 1
        if (epoch + 1) % validate_every and epoch + 1 < epochs:
            continue
        score = predict(model, val)[val_mask.numpy()]
        auprc = average_precision_score(val_y, score) if val_y.any() else 0.0
        best.history.append(auprc)
        if auprc > best.best_val_auprc:
            best.best_val_auprc, best.best_epoch = auprc, epoch
            best_state = copy.deepcopy(model.state_dict())
        elif epoch - best.best_epoch >= patience:
            break
    model.load_state_dict(best_state)
    return best


def predict(model: UserClassifier, data: HeteroData) -> np.ndarray:
    """Fraud scores (logits) of every user node."""
    model.eval()
    with torch.no_grad():
        return model(data).numpy()


def embeddings(model: UserClassifier, data: HeteroData) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return model.embed(data).numpy()


def bench_graphs(run: BenchRun) -> dict[str, HeteroData]:
    """The train / val / test graphs of the run's split assignment, built once per seed."""
    return run.once("graphs", lambda: build_dataset(run.graph, run.training, run.arrays, run.at_cutoff, run.structures).graphs)


def trained(run: BenchRun, architecture: str) -> tuple[TrainResult, float]:
    """A GNN of ``architecture`` trained once per seed, with the seconds its training took."""
    def train() -> tuple[TrainResult, float]:
        graphs = bench_graphs(run)
        started = time.perf_counter()
        result = train_gnn(architecture, graphs["train"], graphs["val"], run.seed, epochs=run.epochs)
        return result, time.perf_counter() - started

    return run.once(f"trained:{architecture}", train)


def masks(graphs: dict[str, HeteroData]) -> dict[str, np.ndarray]:
    return {s: graphs[s]["user"][f"{s}_mask"].numpy() for s in SPLITS}


def gnn_scores(run: BenchRun, architecture: str) -> Scores:
    """Scores of the GNN itself on the validation and test users."""
    graphs = bench_graphs(run)
    fresh = f"trained:{architecture}" not in run.shared
    result, seconds = trained(run, architecture)
    mask = masks(graphs)
    return Scores(predict(result.model, graphs["val"])[mask["val"]], predict(result.model, graphs["test"])[mask["test"]],
                  reused_seconds=0.0 if fresh else seconds)
