"""Score the shipped ring queries (``cypher/``) against the planted ground truth of a loaded graph.

Each typology declares its query and how it is scored (:class:`graphgen.rings.RingQuery`). A ring counts
as found when some group the query returns is mostly its members; a returned group counts as a hit when it
is mostly the members of one ring of that typology.
"""

from __future__ import annotations

import re
from pathlib import Path

from graphgen import schema
from graphgen.output import OutputFolder
from graphgen.rings import REGISTRY

CYPHER = Path(__file__).resolve().parent.parent / "cypher"


def documented_parameters(path: Path) -> str:
    """The Cypher map literal of a query file's ``// :param {...}`` line (its defaults)."""
    found = re.search(r"^// :param (\{.*\})\s*$", path.read_text(), flags=re.M)
    if not found:
        raise ValueError(f"{path.name} does not state its parameters")
    return found.group(1)


def run_query_file(driver, path: Path, database: str = "neo4j", **overrides) -> list[dict]:
    """Run a query file with its documented defaults (evaluated by the server) and ``overrides``."""
    records, _, _ = driver.execute_query(f"RETURN {documented_parameters(path)} AS p", database_=database)
    params = {**records[0]["p"], **overrides}
    records, _, _ = driver.execute_query(path.read_text(), params, database_=database)
    return [r.data() for r in records]


def recall_and_precision(groups: list[set], rings: dict[int, set]) -> tuple[float, float]:
    def owner(group: set) -> int | None:
        best = max(rings, key=lambda r: len(group & rings[r]), default=None)
        return best if best is not None and len(group & rings[best]) * 2 >= len(group) else None

    owners = [owner(g) for g in groups]
    recall = len({o for o in owners if o is not None}) / max(len(rings), 1)
    precision = sum(o is not None for o in owners) / max(len(groups), 1)
    return recall, precision


def ground_truth(out: Path, typology: str) -> dict[int, set]:
    """Members of each planted ring of a typology, as its query reports them (see :class:`RingQuery`)."""
    query = REGISTRY[typology].query
    folder = OutputFolder(out)
    members = folder.table(schema.LABELS["ring_member"].path).to_pandas()
    rings = folder.table(schema.LABELS["ring"].path).to_pandas()
    mine = members[members["ring_id"].isin(rings.query("typology == @typology")["ring_id"])]
    truth = {r: set(g["node_id"]) for r, g in mine[mine["node_type"] == query.node_type].groupby("ring_id")}
    if query.truth_via is not None:
        spec = schema.EDGES[query.truth_via]
        links = folder.table(spec.path).to_pandas()
        ring_nodes = mine[mine["node_type"] == spec.dst_node]
        linked = links.merge(ring_nodes, left_on=spec.dst_column, right_on="node_id")
        via = {r: set(g[spec.src_column]) for r, g in linked.groupby("ring_id")}
        truth = {r: nodes & via.get(r, set()) for r, nodes in truth.items()}
    return truth


def score_ring_queries(driver, out: str | Path, database: str = "neo4j") -> dict[str, dict]:
    """Recall and precision of each typology's ring query on the loaded graph of the output folder ``out``."""
    scores = {}
    for typology, declared in REGISTRY.items():
        query = declared.query
        rows = run_query_file(driver, CYPHER / query.file, database)
        truth = ground_truth(Path(out), typology)
        recall, precision = recall_and_precision([set(r[query.column]) for r in rows], truth)
        scores[typology] = {"query": query.file, "rings": len(truth), "groups": len(rows), "recall": recall, "precision": precision}
    return scores
