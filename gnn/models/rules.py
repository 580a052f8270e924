"""``rules``: the shipped ring queries' logic, no labels and no training: each user scores the highest suspicion
of any device, IP or money cycle the queries in ``cypher/`` return with their defaults that the user is part of."""

from __future__ import annotations

from gnn.benchrun import MODELS, BenchRun, Scores
from gnn.structure import rule_scores


@MODELS.register("rules")
def rules(run: BenchRun) -> Scores:
    splits = run.training.splits
    val, test = splits["val"], splits["test"]
    return Scores(rule_scores(run.graph, val.cutoff)[val.users], rule_scores(run.graph, test.cutoff)[test.users])
