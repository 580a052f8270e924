"""The shape of the code users extend: declarations apart from behaviour, stage contracts, registries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from graphgen.config import resolve_config
from graphgen.exporters import exporters
from graphgen.graph import col
from graphgen.pipeline import STAGES
from graphgen.rings import NODE_TYPES, REGISTRY, role_names

ROOT = Path(__file__).parent.parent


def stages(config, last: str | None = None):
    """The container after each stage, in order, up to the stage ``last``. Stages work in place (labels hands
    the working transactions and events over), so an earlier stage's container is read before going on."""
    graph = None
    for name, stage in STAGES:
        graph = stage(graph, config, config.seed)
        yield name, graph
        if name == last:
            return


def test_every_stage_hands_on_what_its_shape_declares(small_config):
    seen = []
    for name, graph in stages(small_config):
        graph.validate(name)
        seen.append(name)
    assert seen == ["population", "rings", "transactions", "events", "labels"]


def test_validate_names_what_breaks_the_declaration(small_graph):
    broken = type(small_graph)(nodes=dict(small_graph.nodes), edges=dict(small_graph.edges),
                               transactions=small_graph.transactions, labels=small_graph.labels, config=small_graph.config)
    broken.edges["uses_ip"] = broken.edges["uses_ip"].drop_columns(["last_seen"])
    with pytest.raises(ValueError, match="edges/uses_ip has columns"):
        broken.validate()
    dangling = small_graph.transactions.set_column(3, "user_id", pa.array(np.full(small_graph.transactions.num_rows, 10**9)))
    broken.edges["uses_ip"] = small_graph.edges["uses_ip"]
    broken.transactions = dangling
    with pytest.raises(ValueError, match="user_id points past"):
        broken.validate()
    shuffled = small_graph.edges["transfers_to"].take(pa.array(np.arange(small_graph.edges["transfers_to"].num_rows)[::-1]))
    broken.transactions = small_graph.transactions
    broken.edges["transfers_to"] = shuffled
    with pytest.raises(ValueError, match="not sorted"):
        broken.validate()


def test_declarations_import_no_generator_stage():
    code = ("import sys, graphgen.config, graphgen.schema, graphgen.rings; "
            "print(sorted(m for m in sys.modules if m.startswith('graphgen')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    for behaviour in ("graphgen.graph", "graphgen.pipeline", "graphgen.population", "graphgen.rings.builder",
                      "graphgen.transactions", "graphgen.events", "graphgen.labels", "graphgen.writers"):
        assert f"'{behaviour}'" not in loaded, f"importing the config loads {behaviour}"


def ring_rows(config, typology: str) -> dict[str, np.ndarray]:
    """The rings of one typology after planting, and the payments they scheduled (working form)."""
    graph = dict(stages(config, last="rings"))["rings"]
    code = REGISTRY.names().index(typology)
    rings = graph.labels["_rings"]
    mine = np.flatnonzero(col(rings, "typology") == code)
    ring_of_payment = col(graph.transactions, "_ring")
    paid = np.isin(ring_of_payment, mine)
    members = graph.labels["_members"]
    established = col(members, "node") < config.users  # synthetic identities are numbered after the population
    of_mine = np.isin(col(members, "ring"), mine) & (col(members, "node_type") == NODE_TYPES.index("user")) & established
    return {"active_from": col(rings, "active_from")[mine], "active_to": col(rings, "active_to")[mine],
            "established_members": col(members, "node")[of_mine], "ts": col(graph.transactions, "ts")[paid],
            "amount": col(graph.transactions, "amount")[paid]}


@pytest.mark.parametrize("switched_off", REGISTRY.names())
def test_switching_a_typology_off_leaves_the_others_rings_unchanged(small_config, switched_off):
    off = resolve_config("small", overrides={"rings": {switched_off: {"share": 0.0}}})
    for typology in REGISTRY.names():
        if typology == switched_off:
            assert len(ring_rows(off, typology)["active_from"]) == 0
            continue
        before, after = ring_rows(small_config, typology), ring_rows(off, typology)
        assert len(before["active_from"]) > 0
        for key in before:
            np.testing.assert_array_equal(before[key], after[key], err_msg=f"{typology}.{key}")


def test_each_typology_declares_its_roles_query_and_config():
    cypher = {p.name for p in (ROOT / "cypher").glob("*.cypher")}
    config = resolve_config("small")
    for name, typology in REGISTRY.items():
        assert typology.query.file in cypher, name
        assert (ROOT / "cypher" / "graph" / typology.query.file).is_file(), f"{name}: no graph form for Browser"
        assert set(typology.roles) <= set(NODE_TYPES) and typology.roles.get("user"), name
        assert set(r for roles in typology.roles.values() for r in roles) <= set(role_names())
        assert isinstance(getattr(config.rings, name), typology.config_model)


def test_roles_in_the_labels_are_the_declared_ones(small_graph):
    members = small_graph.labels["ring_member"].to_pandas().merge(small_graph.labels["ring"].to_pandas(), on="ring_id")
    for (typology, node_type), group in members.groupby(["typology", "node_type"]):
        assert set(group["role"]) <= set(REGISTRY[typology].roles[node_type]), (typology, node_type)


def test_exporters_and_bench_models_are_registered():
    from gnn.models import MODELS

    assert {"neo4j", "tabular", "pyg"} <= set(exporters())
    assert {"xgb_raw", "xgb_graph", "sage", "gat", "sage_xgb"} <= set(MODELS.names())
