"""The bench's GNNs, trained full-batch on CPU, and what the bench models built on them share within one seed
(the PyG graphs, trained encoders): heterogeneous GraphSAGE and GAT (PyG ``to_hetero``, the simple baselines)
and an edge-aware, degree-aware message-passing network (:class:`EdgeAwareNet`).

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
    from torch_geometric.utils import scatter

from gnn.benchrun import CORES, BenchRun, Scores
from gnn.pyg import build_dataset
from gnn.splits import SPLITS

CONVOLUTIONS = ("sage", "gat")  # made heterogeneous by to_hetero
ARCHITECTURES = (*CONVOLUTIONS, "pna")
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
        if architecture not in CONVOLUTIONS:
            raise ValueError(f"unknown architecture {architecture!r}")
        self.encoder = to_hetero(_Stack(architecture, hidden, layers, dropout), metadata, aggr="sum")
        self.head = torch.nn.Linear(hidden, 1)

    def embed(self, data: HeteroData) -> torch.Tensor:
        return self.encoder(data.x_dict, data.edge_index_dict)["user"]

    def forward(self, data: HeteroData) -> torch.Tensor:
        return self.head(torch.relu(self.embed(data))).squeeze(-1)


class _EdgeAwareLayer(torch.nn.Module):
    """One round of messages along every edge type. A message is made from the sender and the edge's attributes
    (a device window's timing, a payment pair's counts and times); each edge type, and each direction of it,
    has its own weights (reverse message passing). Receivers combine the mean and the max of their messages,
    the mean scaled by log-degree and the log-degree itself (PNA's aggregators and scalers), so that "how many
    users share this device" survives aggregation. ``targets`` are the node types whose update is needed."""

    def __init__(self, targets: list[str], edge_dims: dict[tuple, int], hidden: int, dropout: float):
        super().__init__()
        edges = [e for e in edge_dims if e[2] in targets]
        self.sender = torch.nn.ModuleDict({_key(e): torch.nn.Linear(hidden, hidden) for e in edges})
        self.edge = torch.nn.ModuleDict({_key(e): torch.nn.Linear(edge_dims[e], hidden, bias=False) for e in edges
                                         if edge_dims[e]})
        self.combine = torch.nn.ModuleDict({_key(e): torch.nn.Linear(3 * hidden + 1, hidden, bias=False) for e in edges})
        self.keep = torch.nn.ModuleDict({t: torch.nn.Linear(hidden, hidden) for t in targets})
        self.norm = torch.nn.ModuleDict({t: torch.nn.LayerNorm(hidden) for t in targets})
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, h: dict, edge_index: dict, edge_attr: dict) -> dict:
        out = {t: keep(h[t]) for t, keep in self.keep.items()}
        for edge, index in edge_index.items():
            key, dst = _key(edge), edge[2]
            if key not in self.sender:
                continue
            n = h[dst].shape[0]
            message = self.sender[key](h[edge[0]])[index[0]]  # transform the senders, then gather: fewer products
            if key in self.edge:
                message = message + self.edge[key](edge_attr[edge])
            mean, biggest, degree = aggregate(torch.relu(message), index[1], n)
            out[dst] = out[dst] + self.combine[key](torch.cat([mean, biggest, mean * degree, degree], dim=1))
        return {t: h[t] + self.dropout(torch.relu(self.norm[t](x))) for t, x in out.items()}


def aggregate(message: torch.Tensor, target: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The mean and the max of the messages each of ``n`` receivers gets, and its log-degree (a column)."""
    degree = torch.log1p(torch.bincount(target, minlength=n).float()).unsqueeze(1)
    return scatter(message, target, 0, n, reduce="mean"), scatter(message, target, 0, n, reduce="max"), degree


def _key(edge: tuple[str, str, str]) -> str:
    return "__".join(edge)


class EdgeAwareNet(torch.nn.Module):
    """Edge-aware, degree-aware heterogeneous message passing (GINE / PNA / Multi-GNN ideas, written for
    ``HeteroData``): every node type projected to ``hidden``, ``layers`` rounds of :class:`_EdgeAwareLayer`
    with residual connections, and a fraud score from the user's representation after every round (jumping
    knowledge)."""

    def __init__(self, data: HeteroData, hidden: int = HIDDEN, layers: int = LAYERS, dropout: float = DROPOUT):
        super().__init__()
        self.inputs = torch.nn.ModuleDict({t: torch.nn.Linear(data[t].x.shape[1], hidden) for t in data.node_types})
        edge_dims = {e: edge_attr(data, e).shape[1] for e in data.edge_types}
        # The last round only needs to reach the users.
        self.layers = torch.nn.ModuleList(_EdgeAwareLayer(data.node_types if i < layers - 1 else ["user"], edge_dims, hidden,
                                                          dropout) for i in range(layers))
        self.out = torch.nn.Linear(hidden * (layers + 1), hidden)
        self.head = torch.nn.Linear(hidden, 1)

    def embed(self, data: HeteroData) -> torch.Tensor:
        h = {t: torch.relu(self.inputs[t](data[t].x)) for t in data.node_types}
        attr = {e: edge_attr(data, e) for e in data.edge_types}
        users = [h["user"]]
        for layer in self.layers:
            h = layer(h, data.edge_index_dict, attr)
            users.append(h["user"])
        return self.out(torch.cat(users, dim=1))

    def forward(self, data: HeteroData) -> torch.Tensor:
        return self.head(torch.relu(self.embed(data))).squeeze(-1)


def edge_attr(data: HeteroData, edge: tuple[str, str, str]) -> torch.Tensor:
    """The edge type's attributes; an empty column block for edges without any (account ownership, phones)."""
    store = data[edge]
    return store.edge_attr if "edge_attr" in store else torch.zeros((store.edge_index.shape[1], 0))


def build_model(architecture: str, data: HeteroData, hidden: int, layers: int, dropout: float) -> torch.nn.Module:
    """A user classifier of ``architecture`` (one of :data:`ARCHITECTURES`) for graphs shaped like ``data``."""
    if architecture == "pna":
        return EdgeAwareNet(data, hidden, layers, dropout)
    return UserClassifier(architecture, data.metadata(), hidden, layers, dropout)


@dataclass
class TrainResult:
    model: torch.nn.Module
    best_epoch: int
    best_val_auprc: float
    epochs_run: int
    history: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Settings:
    """How an architecture is trained; the chosen values per architecture are :data:`SETTINGS`."""

    hidden: int = HIDDEN
    layers: int = LAYERS
    dropout: float = DROPOUT
    lr: float = 0.03
    weight_decay: float = 1e-4
    positive_weight: float = 1.0  # times the weight that balances the classes
    epochs: int = 40  # the most epochs; training early-stops on validation AUPRC
    patience: int = 10


# `pna` chosen with benchmarks/search_gnn.py (grid `quick`, validation split of `default` at medium, seed 0:
# benchmarks/results/search_gnn/); sage and gat keep the settings they were first benched with.
SETTINGS = {"sage": Settings(), "gat": Settings(), "pna": Settings(lr=0.01, epochs=60, patience=16)}


def train_gnn(architecture: str, train: HeteroData, val: HeteroData, seed: int, settings: Settings | None = None,
              epochs: int | None = None, validate_every: int = 2) -> TrainResult:
    """Train on ``train`` (its ``train_mask`` users), early-stopping on ``val`` (its ``val_mask`` users).

    ``settings`` defaults to the architecture's :data:`SETTINGS`; ``epochs`` caps its epochs. Validation AUPRC
    is measured every ``validate_every`` epochs (and after the last); training stops once it has not improved
    for ``settings.patience`` epochs.
    """
    settings = settings or SETTINGS[architecture]
    epochs = min(epochs or settings.epochs, settings.epochs)
    torch.set_num_threads(CORES)  # one thread per core we may use: over-subscription makes fitting many times slower
    torch.manual_seed(seed)
    model = build_model(architecture, train, settings.hidden, settings.layers, settings.dropout)
    with torch.no_grad():
        model(train)  # materialise the lazy input sizes
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    mask = train["user"].train_mask
    y = train["user"].y[mask].float()
    positives = float(y.sum())
    pos_weight = torch.tensor(settings.positive_weight * (len(y) - positives) / max(positives, 1.0))
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
        elif epoch - best.best_epoch >= settings.patience:
            break
    model.load_state_dict(best_state)
    return best


def predict(model: torch.nn.Module, data: HeteroData) -> np.ndarray:
    """Fraud scores (logits) of every user node."""
    model.eval()
    with torch.no_grad():
        return model(data).numpy()


def embeddings(model: torch.nn.Module, data: HeteroData) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return model.embed(data).numpy()


def bench_graphs(run: BenchRun, inputs: str = "raw") -> dict[str, HeteroData]:
    """The train / val / test graphs of the run's split assignment with ``inputs`` (``"raw"`` or
    ``"with_graph"``, the :class:`BenchRun` property naming the columns) as user features, built once per seed."""
    columns = getattr(run, inputs)
    return run.once(f"graphs:{inputs}", lambda: build_dataset(run.graph, run.training, run.arrays, run.at_cutoff,
                                                              run.structures, columns).graphs)


def trained(run: BenchRun, architecture: str, inputs: str = "raw") -> tuple[TrainResult, float]:
    """A GNN of ``architecture`` on ``inputs`` trained once per seed, and the seconds of training this call reused
    (0 for the call that trained it; the bench adds them to the time of a model that reuses the encoder)."""
    key = f"trained:{architecture}:{inputs}"
    reused = key in run.shared

    def train() -> tuple[TrainResult, float]:
        graphs = bench_graphs(run, inputs)
        started = time.perf_counter()
        result = train_gnn(architecture, graphs["train"], graphs["val"], run.seed, epochs=run.epochs)
        return result, time.perf_counter() - started

    result, seconds = run.once(key, train)
    return result, seconds if reused else 0.0


def masks(graphs: dict[str, HeteroData]) -> dict[str, np.ndarray]:
    return {s: graphs[s]["user"][f"{s}_mask"].numpy() for s in SPLITS}


def gnn_scores(run: BenchRun, architecture: str, inputs: str = "raw") -> Scores:
    """Scores of the GNN itself on the validation and test users."""
    graphs = bench_graphs(run, inputs)
    result, reused_seconds = trained(run, architecture, inputs)
    mask = masks(graphs)
    return Scores(predict(result.model, graphs["val"])[mask["val"]], predict(result.model, graphs["test"])[mask["test"]],
                  reused_seconds=reused_seconds)
