"""Score the shipped ring queries (``cypher/``) against the planted ground truth of a loaded graph.

A ring counts as found when some group the query returns is mostly its members; a returned group counts
as a hit when it is mostly the members of one ring of that typology. Device-sharing rings are judged on
the members that used the ring devices (identities kept off them can only be found through money).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq

from graphgen import schema

CYPHER = Path(__file__).resolve().parent.parent / "cypher"
# typology -> (query file, column holding each returned group's ids, node type of those ids)
RING_QUERIES = {
    "device_sharing": ("02_device_sharing_rings.cypher", "user_ids", "user"),
    "ip_recycling": ("03_ip_recycling.cypher", "user_ids", "user"),
    "kiting": ("04_kiting_cycles.cypher", "account_ids", "account"),
}


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
    """Members of each planted ring of a typology, as the query for it reports them."""
    _, _, node_type = RING_QUERIES[typology]
    members = pq.read_table(out / schema.LABELS["ring_members"].path).to_pandas()
    rings = pq.read_table(out / schema.LABELS["rings"].path).to_pandas()
    ours = members[members["ring_id"].isin(rings.query("typology == @typology")["ring_id"]) & (members["node_type"] == node_type)]
    truth = {r: set(g["node_id"]) for r, g in ours.groupby("ring_id")}
    if typology == "device_sharing":
        uses = pq.read_table(out / schema.EDGES["uses_device"].path).to_pandas()
        on_devices = set(uses[uses["device_id"].isin(members.query("node_type == 'device'")["node_id"])]["user_id"])
        truth = {r: users & on_devices for r, users in truth.items()}
    return truth


def score_ring_queries(driver, out: str | Path, database: str = "neo4j") -> dict[str, dict]:
    """Recall and precision of each ring query on the loaded graph of the output folder ``out``."""
    scores = {}
    for typology, (file, column, _) in RING_QUERIES.items():
        rows = run_query_file(driver, CYPHER / file, database)
        truth = ground_truth(Path(out), typology)
        recall, precision = recall_and_precision([set(r[column]) for r in rows], truth)
        scores[typology] = {"query": file, "rings": len(truth), "groups": len(rows), "recall": recall, "precision": precision}
    return scores
