"""``rules``: the shipped ring queries' logic, no labels and no training: each user scores the highest suspicion
of any device, IP or money cycle the queries in ``cypher/`` return with their defaults that the user is part of."""

from __future__ import annotations

import time

import numpy as np

from gnn.benchrun import MODELS, BenchRun, Scores
from gnn.structure import rule_scores


@MODELS.register("rules")
def rules(run: BenchRun) -> Scores:
    # The scores at a cutoff do not depend on the seed: computed once per cutoff, and the seconds they took
    # are reported again by every seed that reuses them.
    reused = 0.0

    def at(cutoff: int) -> np.ndarray:
        nonlocal reused
        key = ("rules", cutoff)
        if key in run.structures:
            scores, seconds = run.structures[key]
            reused += seconds
            return scores
        started = time.perf_counter()
        scores = rule_scores(run.graph, cutoff)
        run.structures[key] = (scores, time.perf_counter() - started)
        return scores

    val, test = run.training.splits["val"], run.training.splits["test"]
    return Scores(at(val.cutoff)[val.users], at(test.cutoff)[test.users], reused_seconds=reused)
