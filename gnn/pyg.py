"""The PyTorch Geometric dataset: one ``HeteroData`` per split, each the graph as of that split's cutoff.

Node types ``user``, ``device``, ``account``, ``ip``; edge types ``uses_device``, ``uses_ip``,
``has_account``, ``transfers_to`` (payments before the cutoff aggregated per account pair, as edge
attributes) and their reverses ``rev_*``. Users carry their raw features (standardised with the training
split's statistics), ``y`` (the label known at this graph's cutoff; true labels in the test graph) and
``train_mask`` / ``val_mask`` / ``test_mask`` (disjoint, the same in every graph). A model trains on the
``train`` graph, early-stops on the ``val`` graph and is scored on the ``test`` graph: inductive, it never
sees an edge from after the cutoff it is evaluated at.

Saved as plain dictionaries (``HeteroData.to_dict()``), so ``torch.load`` works with ``weights_only=True``.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import torch

with warnings.catch_warnings():  # torch deprecates torch.jit.script, which PyG still calls while importing
    warnings.filterwarnings("ignore", message=".*torch.jit.script.* is deprecated")
    from torch_geometric.data import HeteroData

from graphgen import schema
from graphgen.errors import UsageError
from graphgen.graph import EntityGraph, col
from graphgen.output import read_graph
from graphgen.sampling import DAY, pair_key, pair_parts
from graphgen.vocab import ACCOUNT_TYPES, CONNECTION_TYPES, DEVICE_TYPES, OPERATING_SYSTEMS
from gnn.features import IDENTITY_EDGES, GraphArrays
from gnn.splits import SPLITS
from gnn.tabular import TrainingSet, build_training_set

DATASET_FILE = "dataset.pt"


def _one_hot(column: pa.ChunkedArray, names: tuple[str, ...]) -> np.ndarray:
    codes = pc.index_in(column, value_set=pa.array(names)).to_numpy(zero_copy_only=False)
    return np.eye(len(names), dtype=np.float32)[codes]


def _tensor(values: np.ndarray, dtype=torch.float32) -> torch.Tensor:
    return torch.as_tensor(np.ascontiguousarray(values), dtype=dtype)


def static_features(graph: EntityGraph) -> dict[str, np.ndarray]:
    devices, ips = graph.nodes["device"], graph.nodes["ip"]
    return {
        "device": np.hstack([_one_hot(devices.column("device_type"), DEVICE_TYPES),
                             _one_hot(devices.column("os"), OPERATING_SYSTEMS)]),
        "ip": np.hstack([col(ips, "is_vpn")[:, None].astype(np.float32), col(ips, "is_hosting")[:, None].astype(np.float32),
                         _one_hot(ips.column("connection_type"), CONNECTION_TYPES)]),
        "account_type": _one_hot(graph.nodes["account"].column("account_type"), ACCOUNT_TYPES),
    }


def graph_structure(graph: EntityGraph, arrays: GraphArrays, cutoff: int, static: dict[str, np.ndarray]) -> HeteroData:
    """Everything before ``cutoff`` but the users' features, labels and masks (which depend on the split)."""
    data = HeteroData()
    data["device"].x = _tensor(static["device"])
    data["ip"].x = _tensor(static["ip"])
    age = np.log1p(np.maximum(cutoff - arrays.opened, 0) / DAY).astype(np.float32)[:, None]
    data["account"].x = _tensor(np.hstack([static["account_type"], age * (arrays.opened < cutoff)[:, None]]))

    def add(src: str, rel: str, dst: str, a: np.ndarray, b: np.ndarray, attr: np.ndarray | None = None) -> None:
        index = _tensor(np.vstack([a, b]), torch.long)
        data[src, rel, dst].edge_index = index
        data[dst, f"rev_{rel}", src].edge_index = index.flip(0)
        if attr is not None:
            data[src, rel, dst].edge_attr = _tensor(attr)
            data[dst, f"rev_{rel}", src].edge_attr = _tensor(attr)

    for name, node in (("uses_device", "device"), ("uses_ip", "ip")):
        links = arrays.links(name, cutoff)
        add("user", name, node, links["user"], links["node"], window_attributes(links, cutoff))
    opened = arrays.opened < cutoff
    add("user", "has_account", "account", arrays.owner[opened], np.flatnonzero(opened))
    # Phone numbers and addresses carry no attributes: what they say is who else gives them.
    known = arrays.created < cutoff
    for name in IDENTITY_EDGES:
        node = schema.EDGES[name].dst_node
        user, fragment = arrays.identity_links(name)
        data[node].x = _tensor(np.ones((graph.num_nodes(node), 1), np.float32))
        add("user", name, node, user[known[user]], fragment[known[user]])
    t = arrays.before(cutoff)
    pairs = pair_key(t["src"], t["dst"])
    key, first, inverse, count = np.unique(pairs, return_index=True, return_inverse=True, return_counts=True)
    last = len(pairs) - 1 - np.unique(pairs[::-1], return_index=True)[1]  # payments are in time order
    total = np.bincount(inverse, weights=t["amount"], minlength=len(key))
    add("account", "transfers_to", "account", *pair_parts(key),
        np.column_stack([np.log1p(count), np.log1p(total), np.log1p(total / np.maximum(count, 1)),
                         _log_days(cutoff - t["ts"][first]), _log_days(cutoff - t["ts"][last])]))
    return data


NO_NEIGHBOUR_DAYS = 365.0  # how far a user's arrival on a device or IP is from the next user's when they are alone


def window_attributes(links: dict[str, np.ndarray], cutoff: int) -> np.ndarray:
    """What a USES_DEVICE / USES_IP edge says about time, on a log-days scale: how long before the cutoff the user
    was first and last seen on it, for how long, how many other users' windows on the same device or IP overlap
    theirs, how close the nearest other user arrived, and how many arrived before them.

    Shared devices and recycled IPs are about *when* users held them relative to each other, which neither
    node features nor mean aggregation can recover from the edge list alone.
    """
    node, first, last = links["node"], links["first"].astype(np.int64), links["last"].astype(np.int64)
    origin = min(first.min(initial=cutoff), last.min(initial=cutoff))
    stride = int(max(first.max(initial=cutoff), last.max(initial=cutoff)) - origin) + 1
    base = node.astype(np.int64) * stride  # keys of different devices never interleave
    arrival, departure = base + first - origin, base + last - origin
    order = np.argsort(arrival, kind="stable")  # by device, then by arrival
    arrivals, departures = arrival[order], np.sort(departure)
    overlapping = (np.searchsorted(arrivals, departure, side="right")
                   - np.searchsorted(departures, arrival, side="left") - 1)
    rank = np.searchsorted(arrivals, arrival, side="left") - np.searchsorted(arrivals, base)
    gap = np.full(len(node), NO_NEIGHBOUR_DAYS * DAY)
    same = node[order][1:] == node[order][:-1]
    step = np.where(same, np.diff(arrivals), np.inf)
    gap[order[1:]] = np.minimum(gap[order[1:]], step)
    gap[order[:-1]] = np.minimum(gap[order[:-1]], step)
    return np.column_stack([_log_days(cutoff - first), _log_days(cutoff - last), _log_days(last - first),
                            np.log1p(overlapping), _log_days(gap), np.log1p(rank)])


def _log_days(seconds: np.ndarray) -> np.ndarray:
    return np.log1p(np.maximum(seconds, 0) / DAY)


@dataclass
class GraphDataset:
    """The three graphs of one split assignment, and what their user features are."""

    graphs: dict[str, HeteroData]
    feature_names: list[str]
    kind: str
    seed: int

    def to_dict(self) -> dict:
        return {"graphs": {k: g.to_dict() for k, g in self.graphs.items()}, "feature_names": self.feature_names,
                "kind": self.kind, "seed": self.seed}

    @classmethod
    def from_dict(cls, d: dict) -> GraphDataset:
        return cls({k: HeteroData.from_dict(g) for k, g in d["graphs"].items()}, d["feature_names"], d["kind"], d["seed"])


def build_dataset(graph: EntityGraph, training: TrainingSet, arrays: GraphArrays,
                  at_cutoff: dict[int, dict[str, np.ndarray]], structures: dict[int, HeteroData] | None = None,
                  columns: list[str] | None = None) -> GraphDataset:
    """Graphs for ``training``'s split assignment with the user features ``columns`` (the raw features by
    default). ``at_cutoff`` holds the user features per cutoff; ``structures`` caches the graph structure per
    cutoff across split assignments."""
    structures = {} if structures is None else structures
    names = columns or training.feature_names["raw"]
    n = arrays.n_users
    masks = {name: np.zeros(n, bool) for name in SPLITS}
    for name, split in training.splits.items():
        masks[name][split.users] = True
    train = training.splits["train"]
    train_x = np.column_stack([at_cutoff[train.cutoff][c][train.users] for c in names])
    mean, std = train_x.mean(axis=0), train_x.std(axis=0)
    std[std == 0] = 1.0
    static = None
    graphs = {}
    for name, split in training.splits.items():
        if split.cutoff not in structures:
            static = static or static_features(graph)
            structures[split.cutoff] = graph_structure(graph, arrays, split.cutoff, static)
        data = copy.copy(structures[split.cutoff])  # shares the structure's tensors
        x = np.column_stack([at_cutoff[split.cutoff][c] for c in names])
        x = np.clip((x - mean) / std, -10, 10).astype(np.float32)
        x[arrays.created >= split.cutoff] = 0.0  # users who do not exist yet at this cutoff
        y = np.zeros(n, dtype=np.int64)
        y[split.users] = split.label
        data["user"].x = _tensor(x)
        data["user"].y = _tensor(y, torch.long)
        for mask_name, mask in masks.items():
            data["user"][f"{mask_name}_mask"] = _tensor(mask, torch.bool)
        graphs[name] = data
    return GraphDataset(graphs, names, training.kind, training.seed)


STEPS = ("read", "user features", "graphs", "write")


def write_pyg(root: str | Path, kind: str = "temporal", seed: int = 0, verify: bool = True,
              on_step: Callable[[str], None] = lambda step: None) -> Path:
    """Write ``ROOT/pyg/dataset.pt``; ``on_step`` is called with each of :data:`STEPS` once it is done."""
    graph = read_graph(root, verify)
    on_step(STEPS[0])
    arrays = GraphArrays(graph)
    cache: dict[int, dict[str, np.ndarray]] = {}
    training = build_training_set(graph, kind, seed, arrays, cache)
    on_step(STEPS[1])
    dataset = build_dataset(graph, training, arrays, cache)
    on_step(STEPS[2])
    target = Path(root) / "pyg"
    try:
        target.mkdir(exist_ok=True)
        tmp = target / f".{DATASET_FILE}.tmp"
        torch.save(dataset.to_dict(), tmp)
        os.replace(tmp, target / DATASET_FILE)
    except OSError as exc:
        raise UsageError(f"cannot write to {target}: {exc.strerror or exc}") from None
    on_step(STEPS[3])
    return target / DATASET_FILE


def read_dataset(root: str | Path) -> GraphDataset:
    """Load ``ROOT/pyg/dataset.pt`` (written by ``graphgen export pyg``) with a plain ``torch.load``."""
    path = Path(root) / "pyg" / DATASET_FILE
    if not path.is_file():
        raise UsageError(f"no PyG dataset at {path}; run `graphgen export pyg {root}` first")
    return GraphDataset.from_dict(torch.load(path, weights_only=True))
