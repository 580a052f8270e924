"""Training sets and benchmarks built from a graphgen output folder: tabular features, the PyG dataset,
bench models and ``graphgen bench`` / ``graphgen audit``.

>>> import gnn
>>> train, val, test = gnn.load_dataset("out")   # after `graphgen export pyg out`
"""

from __future__ import annotations

from pathlib import Path


def load_dataset(root: str | Path):
    """The train, validation and test ``HeteroData`` graphs written by ``graphgen export pyg ROOT``.

    Each is the graph as of its split's cutoff, with user features, ``y`` as known at that cutoff and the
    ``train_mask`` / ``val_mask`` / ``test_mask`` of every user (see :mod:`gnn.pyg`).
    """
    from gnn.pyg import read_dataset  # torch and PyG: the `gnn` extra, loaded only when asked for

    graphs = read_dataset(root).graphs
    return graphs["train"], graphs["val"], graphs["test"]
