"""The Neo4j deliverables that need no server: docker-compose.yml, the Browser style and guide."""

from __future__ import annotations

import copy
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from loaders.model import GROUND_TRUTH_LABEL, NODE_SETS, REL_SETS

ROOT = Path(__file__).parent.parent


def test_compose_imports_the_bundle_before_starting_the_server():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"importer", "neo4j", "schema", "neo4j-plugins", "schema-plugins"} <= set(services)
    for name, service in services.items():
        assert service["image"].startswith("neo4j:5.26"), name
    importer = services["importer"]
    assert importer["entrypoint"][-2:] == ["/import/import.sh", "neo4j"]
    assert any(v.endswith(":/import:ro") for v in importer["volumes"]) and "neo4j-data:/data" in importer["volumes"]
    for server in ("neo4j", "neo4j-plugins"):
        s = services[server]
        assert s["depends_on"]["importer"]["condition"] == "service_completed_successfully"
        assert {"7474:7474", "7687:7687"} <= set(s["ports"])
        assert "healthcheck" in s and "neo4j-data:/data" in s["volumes"]
        env = s["environment"]
        assert env["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")  # from the environment, never in the file
        assert "NEO4J_server_memory_heap_max__size" in env and "NEO4J_server_memory_pagecache_size" in env
    assert "profiles" not in services["neo4j"]
    plugins = services["neo4j-plugins"]
    assert plugins["profiles"] == ["plugins"] and "apoc" in plugins["environment"]["NEO4J_PLUGINS"]
    assert "graph-data-science" in plugins["environment"]["NEO4J_PLUGINS"]
    for schema, server in (("schema", "neo4j"), ("schema-plugins", "neo4j-plugins")):
        s = services[schema]
        assert s["depends_on"][server]["condition"] == "service_healthy"
        assert s["entrypoint"][-1] == "/cypher/schema.cypher" and f"neo4j://{server}:7687" in s["entrypoint"]
    text = (ROOT / "docker-compose.yml").read_text()
    assert not re.search(r"NEO4J_AUTH:\s*neo4j/[^$]", text), "a password written into the compose file"


def test_compose_file_follows_the_compose_specification():
    # tests/data/compose-spec.json: the Compose Specification's schema (compose-spec/compose-spec, commit
    # 170098b, Apache-2.0), the one Docker Compose validates files against.
    validator = jsonschema.Draft7Validator(json.loads((ROOT / "tests" / "data" / "compose-spec.json").read_text()))
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert not list(validator.iter_errors(compose)), [e.message for e in validator.iter_errors(compose)]
    misspelt = copy.deepcopy(compose)
    misspelt["services"]["neo4j"]["depnds_on"] = misspelt["services"]["neo4j"].pop("depends_on")
    assert list(validator.iter_errors(misspelt)), "the schema should refuse an unknown service key"


def test_a_compose_implementation_resolves_the_file():
    podman_compose = shutil.which("podman-compose") or str(Path(sys.executable).parent / "podman-compose")
    if not Path(podman_compose).exists():
        pytest.skip("podman-compose is not installed (pip install '.[test]')")
    command = [podman_compose, "--dry-run", "-f", str(ROOT / "docker-compose.yml"), "config"]  # no engine needed
    environment = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    resolved = subprocess.run(command, env={**environment, "NEO4J_PASSWORD": "from-the-environment"},
                              capture_output=True, text=True, timeout=120)
    assert resolved.returncode == 0, resolved.stderr
    services = yaml.safe_load(resolved.stdout)["services"]
    assert services["neo4j"]["environment"]["NEO4J_AUTH"] == "neo4j/from-the-environment"
    assert services["importer"]["entrypoint"][-2:] == ["/import/import.sh", "neo4j"]
    refused = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "set NEO4J_PASSWORD" in refused.stderr


def test_style_colours_every_label_and_marks_ground_truth():
    grass = (ROOT / "cypher" / "graphgen.grass").read_text()
    for node in NODE_SETS:
        assert f"node.{node.label} " in grass, node.label
    assert re.search(rf"node\.{GROUND_TRUTH_LABEL} \{{[^}}]*border-color: #E83E3E", grass)
    assert "relationship.MEMBER_OF" in grass


def test_guide_walks_through_every_query_file():
    guide = (ROOT / "cypher" / "guide.md").read_text()
    slides = guide.split("\n---\n")
    assert len(slides) >= 8
    for path in sorted((ROOT / "cypher").glob("0*.cypher")):
        assert path.name in guide, path.name
        params = re.search(r"^// (:param \{.*\})\s*$", path.read_text(), flags=re.M).group(1)
        assert params in guide, f"the guide's parameters for {path.name} differ from the file's"


def test_every_relationship_type_and_label_is_from_the_fixed_set():
    labels = {n.label for n in NODE_SETS} | {GROUND_TRUTH_LABEL}
    types = {r.rel_type for r in REL_SETS}
    for path in (ROOT / "cypher").rglob("*.cypher"):
        code = re.sub(r"^//.*$", "", path.read_text(), flags=re.M)
        relationship_patterns = re.findall(r"\[\w*:([\w|]+)", code)
        used_types = {t for group in relationship_patterns for t in group.split("|")}
        assert used_types <= types, (path.name, used_types - types)
        used_labels = set(re.findall(r":([A-Z]\w*)", re.sub(r"\[[^\]]*\]", "", code)))
        assert used_labels <= labels, (path.name, used_labels - labels)
        if path.name != "01_overview.cypher":
            assert used_labels and used_types, path.name


def test_the_browser_guide_embeds_every_query_the_walk_through_names():
    from loaders.guide import guide_html

    page = guide_html()
    assert page.count("<slide") == (ROOT / "cypher" / "guide.md").read_text().count("\n---\n") + 1
    for path in sorted((ROOT / "cypher").glob("0*.cypher")):
        query = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("//")).strip()
        assert html.escape(query, quote=False) in page, f"{path.name} is not in the Browser guide"


def test_bundle_streamed_in_small_batches_keeps_every_row_with_its_ground_truth(small_output, monkeypatch, tmp_path):
    import pyarrow.parquet as pq

    from loaders import bundle

    monkeypatch.setattr(bundle, "EXPORT_BATCH", 997)  # batches that never line up with the tables' row groups
    folder = tmp_path / "out"
    shutil.copytree(small_output, folder, ignore=shutil.ignore_patterns("neo4j*"))
    written = bundle.write_bundle(folder)
    for stem, features, labels, key in (("user", "nodes/users.parquet", "labels/users.parquet", "user_id"),
                                        ("transaction", "transactions.parquet", "labels/transactions.parquet", "txn_id")):
        nodes = pq.ParquetFile(written / f"nodes_{stem}.parquet")
        assert nodes.metadata.num_row_groups > 1
        got = nodes.read().to_pandas()
        truth = pq.read_table(folder / labels).to_pandas()
        assert got[f"{key}:ID({stem.title()})"].tolist() == pq.read_table(folder / features, columns=[key])[key].to_pylist()
        assert got["gt_ring_id"].equals(truth["ring_id"])
        assert (got[":LABEL"].str.endswith(GROUND_TRUTH_LABEL) == truth["is_fraud"]).all()
    sent = pq.read_table(written / "rels_sent.parquet").to_pandas()
    txns = pq.read_table(folder / "transactions.parquet", columns=["txn_id", "src_account_id"]).to_pandas()
    assert sent[":START_ID(Account)"].tolist() == txns["src_account_id"].tolist()
    assert sent[":END_ID(Transaction)"].tolist() == txns["txn_id"].tolist()
