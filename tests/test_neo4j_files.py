"""The Neo4j deliverables that need no server: docker-compose.yml, the Browser style and guide."""

from __future__ import annotations

import html
import re
from pathlib import Path

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
