"""Score the shipped ring queries (``cypher/``) against the planted ground truth of a loaded graph.

Each typology declares its query and how it is scored (:class:`graphgen.rings.RingQuery`). A ring counts
as found when some group the query returns is mostly its members; a returned group counts as a hit when it
is mostly the members of one ring of that typology. The queries rank what they return by suspicion, so
besides recall and precision over everything returned, the precision of the top of the list is reported:
down to the row where 95% of the rings have been found. Each precision comes twice: counting only the
query's own typology's rings as hits, and counting any planted ring (the attacker's device behind a takeover,
returned by the device-sharing query, is fraud found, not a false alarm).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

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


PATH_BOUND = re.compile(r"\)\{2,(\d+)\}")  # the upper bound of a cycle query's quantified path


def query_text(path: Path, max_length: int | None = None) -> str:
    """A query file's text; ``max_length`` rewrites the upper bound of its cycle pattern (cycles of up to that
    many accounts), which Cypher cannot take as a parameter."""
    text = path.read_text()
    if max_length is not None:
        text, found = PATH_BOUND.subn(f"){{2,{int(max_length) - 1}}}", text)
        if not found:
            raise ValueError(f"{path.name} has no cycle bound to set")
    return text


def run_query_file(driver, path: Path, database: str = "neo4j", **overrides) -> list[dict]:
    """Run a query file with its documented defaults (evaluated by the server) and ``overrides``
    (``max_length``: see :func:`query_text`)."""
    records, _, _ = driver.execute_query(f"RETURN {documented_parameters(path)} AS p", database_=database)
    max_length = overrides.pop("max_length", None)
    params = {**records[0]["p"], **overrides}
    records, _, _ = driver.execute_query(query_text(path, max_length), params, database_=database)
    return [r.data() for r in records]


def ring_of_groups(groups: list[set], rings: dict[int, set]) -> list[int | None]:
    """The ring each returned group is mostly made of, or None."""
    def owner(group: set) -> int | None:
        best = max(rings, key=lambda r: len(group & rings[r]), default=None)
        return best if best is not None and len(group & rings[best]) * 2 >= len(group) else None

    return [owner(g) for g in groups]


def recall_and_precision(groups: list[set], rings: dict[int, set]) -> tuple[float, float]:
    owners = ring_of_groups(groups, rings)
    recall = len({o for o in owners if o is not None}) / max(len(rings), 1)
    precision = sum(o is not None for o in owners) / max(len(groups), 1)
    return recall, precision


def precision_at_recall(groups: list[set], rings: dict[int, set], target: float = 0.95,
                        fraud: dict[int, set] | None = None) -> float | None:
    """Precision of the ranked groups down to the first row where ``target`` of the rings are found
    (None when the whole list never gets there). With ``fraud`` (every planted ring, ``rings`` among them), a
    row counts as a hit when it is mostly one of those."""
    owners = ring_of_groups(groups, rings)
    hits = owners if fraud is None else ring_of_groups(groups, fraud)
    found: set[int] = set()
    for rank, owner in enumerate(owners, start=1):
        if owner is not None:
            found.add(owner)
        if len(found) >= target * len(rings):
            return sum(h is not None for h in hits[:rank]) / rank
    return None


def ring_members(out: Path) -> pd.DataFrame:
    """Every planted ring's members (``ring_id``, ``node_type``, ``node_id``, ``role``) with their ``typology``."""
    folder = OutputFolder(out)
    members = folder.table(schema.LABELS["ring_member"].path).to_pandas()
    rings = folder.table(schema.LABELS["ring"].path).to_pandas()
    return members.merge(rings[["ring_id", "typology"]], on="ring_id")


def planted_rings(members: pd.DataFrame, node_type: str) -> dict[int, set]:
    """Members of a node type of every planted ring (``members`` from :func:`ring_members`), whatever its typology."""
    return {r: set(g["node_id"]) for r, g in members[members["node_type"] == node_type].groupby("ring_id")}


def ground_truth(out: Path, typology: str, members: pd.DataFrame | None = None) -> dict[int, set]:
    """Members of each planted ring of a typology, as its query reports them (see :class:`RingQuery`); with
    ``truth_via``, rings without a member linked through it are left out. ``members``: :func:`ring_members`
    of ``out``, when already read."""
    query = REGISTRY[typology].query
    members = ring_members(out) if members is None else members
    mine = members[members["typology"] == typology]
    truth = {r: set(g["node_id"]) for r, g in mine[mine["node_type"] == query.node_type].groupby("ring_id")}
    if query.truth_via is not None:
        spec = schema.EDGES[query.truth_via]
        links = OutputFolder(out).table(spec.path).to_pandas()
        ring_nodes = mine[mine["node_type"] == spec.dst_node]
        linked = links.merge(ring_nodes, left_on=spec.dst_column, right_on="node_id")
        via = {r: set(g[spec.src_column]) for r, g in linked.groupby("ring_id")}
        # A ring none of whose members used its own devices (every takeover on the victims' phones) is not this
        # query's to find: only the money shows it.
        truth = {r: nodes & via[r] for r, nodes in truth.items() if nodes & via.get(r, set())}
    return truth


def score_ring_queries(driver, out: str | Path, database: str = "neo4j",
                       parameters: dict[str, dict] | None = None) -> dict[str, dict]:
    """Recall and precision of each typology's ring query on the loaded graph of the output folder ``out``,
    with each query's defaults or ``parameters[typology]``."""
    scores = {}
    members = ring_members(Path(out))
    for typology, declared in REGISTRY.items():
        query = declared.query
        rows = run_query_file(driver, CYPHER / query.file, database, **(parameters or {}).get(typology, {}))
        truth = ground_truth(Path(out), typology, members)
        groups = [set(r[query.column]) for r in rows]
        fraud = planted_rings(members, query.node_type)
        recall, precision = recall_and_precision(groups, truth)
        scores[typology] = {"query": query.file, "rings": len(truth), "groups": len(rows), "recall": recall,
                            "precision": precision, "precision_at_95": precision_at_recall(groups, truth),
                            "precision_any": recall_and_precision(groups, fraud)[1],
                            "precision_any_at_95": precision_at_recall(groups, truth, fraud=fraud)}
    return scores
