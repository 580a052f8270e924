"""Train / validation / test splits that leak nothing from the future.

Each user is observed at exactly one date: the train cutoff (60% into the horizon), the validation cutoff
(80%) or the snapshot (the end). Users are drawn for the three dates in proportions 60/20/20 among the dates
at which they already exist. Everything a model sees about a user (features, the graph it trains on) comes
from before that user's cutoff; training and validation labels are what was *confirmed* by the cutoff, so
fraud not yet confirmed is a negative there, as in reality, while the test uses the true labels.

``temporal`` draws users independently; ``ring`` (ring-grouped) draws whole rings, so that members of one
ring never end up on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from graphgen.config import GraphgenConfig
from graphgen.graph import EntityGraph, col

SPLITS = ("train", "val", "test")
FRACTIONS = np.array([0.6, 0.2, 0.2])
CUTOFF_POSITIONS = (0.6, 0.8, 1.0)  # share of the horizon elapsed at each split's cutoff
KINDS = ("temporal", "ring")


@dataclass(frozen=True)
class Split:
    name: str
    cutoff: int  # epoch ms: only what happened strictly before is visible
    users: np.ndarray  # user ids observed at this cutoff
    label: np.ndarray  # label known at the cutoff (the true label for test)
    is_fraud: np.ndarray  # true label, for analysis only
    typology: np.ndarray  # ring typology of fraudulent users ("" otherwise), for per-typology recall


@dataclass(frozen=True)
class Truth:
    """Ground-truth columns of a label table (``labels/users`` or ``labels/transactions``)."""

    is_fraud: np.ndarray
    confirmed: np.ndarray  # fraud_confirmed_at, epoch ms; int64 max when never confirmed
    typology: np.ndarray  # "" when not fraud

    @classmethod
    def of(cls, table: pa.Table) -> Truth:
        return cls(table.column("is_fraud").to_numpy(zero_copy_only=False),
                   table.column("fraud_confirmed_at").cast("int64").fill_null(np.iinfo(np.int64).max).to_numpy(),
                   table.column("typology").fill_null("").to_numpy(zero_copy_only=False))

    def known(self, rows, split: str, cutoff: int) -> np.ndarray:
        """The label as known at ``cutoff``: fraud confirmed by then for train and val, the truth for test."""
        return (self.is_fraud[rows] if split == "test" else self.confirmed[rows] <= cutoff).astype(np.int8)


def cutoffs(config: GraphgenConfig) -> dict[str, int]:
    start, end = config.horizon_ms()
    return {name: int(start + p * (end - start)) for name, p in zip(SPLITS, CUTOFF_POSITIONS)}


def make_splits(graph: EntityGraph, kind: str = "temporal", seed: int = 0) -> dict[str, Split]:
    """Assign every user to one split; see the module docstring."""
    if kind not in KINDS:
        raise ValueError(f"unknown split {kind!r}; choose one of {', '.join(KINDS)}")
    cut = cutoffs(graph.config)
    labels = graph.labels["user"]
    created = col(graph.nodes["user"], "created_at")
    first_eligible = np.searchsorted(np.array(list(cut.values())), created, side="right")  # exists before cutoff
    ring = labels.column("ring_id").fill_null(-1).to_numpy()
    # Groups drawn together: one per ring in ring-grouped mode, otherwise one per user.
    group = np.arange(len(created)) if kind == "temporal" else np.where(ring >= 0, ring, ring.max(initial=-1) + 1 + np.arange(len(created)))
    _, group = np.unique(group, return_inverse=True)
    group_first = np.zeros(group.max(initial=-1) + 1, dtype=np.int64)
    np.maximum.at(group_first, group, first_eligible)  # a ring can be observed once all its members exist
    rng = np.random.default_rng(seed)
    draw = rng.random(len(group_first))
    group_split = np.full(len(group_first), len(SPLITS), dtype=np.int64)
    for first in range(len(SPLITS)):
        weights = FRACTIONS[first:] / FRACTIONS[first:].sum()
        mask = group_first == first
        group_split[mask] = first + np.searchsorted(np.cumsum(weights), draw[mask], side="right")
    split_of = np.minimum(group_split[group], len(SPLITS))  # users created after the snapshot: none

    truth = Truth.of(labels)
    out = {}
    for i, name in enumerate(SPLITS):
        users = np.flatnonzero(split_of == i)
        out[name] = Split(name, cut[name], users, truth.known(users, name, cut[name]), truth.is_fraud[users].astype(np.int8),
                          truth.typology[users])
    return out
