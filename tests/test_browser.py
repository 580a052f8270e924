"""Neo4j Browser for real: the test server serves Browser, headless Chromium (Debian's package, driven by
Playwright) logs in, applies the style exactly as the guide says, runs each ring query's graph form with its
`:param` line and checks what a user sees: the ring drawn (as many nodes and relationships as the query
returns), styled from graphgen.grass, fraud marked, no error. GRAPHGEN_SCREENSHOTS=DIR saves one screenshot
per typology there (`docs/make_screenshots.sh` refreshes the README's)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from graphgen.rings import REGISTRY
from loaders.evaluate import CYPHER, documented_parameters
from loaders.online import load
from tests.conftest import NEO4J_PASSWORD, run_cli

pytestmark = pytest.mark.neo4j
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]  # no calls out of this machine
GRASS = (CYPHER / "graphgen.grass").read_text()
STYLE = dict(re.findall(r"^(node\.\w+|node) \{ [^}]*?color: (#[0-9A-F]{6});", GRASS, flags=re.M))


def _browser_or_skip():
    if CHROMIUM is None or shutil.which("java") is None:
        reason = "no Chromium (apt-get install chromium) or no Java here"
        if os.environ.get("GRAPHGEN_REQUIRE_NEO4J"):
            pytest.fail(f"the Browser test is required here but {reason}")
        pytest.skip(reason)
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    playwright_api = _browser_or_skip()
    from loaders import server as harness

    harness.build()
    out = tmp_path_factory.mktemp("browser") / "out"
    assert run_cli("build", "--preset", "fraud_heavy", "--users", "3000", "--seed", "3", "--out", str(out), "-q").code == 0
    server = harness.Neo4jServer(tmp_path_factory.mktemp("browser-home"), NEO4J_PASSWORD, browser=True).start()
    try:
        load(out, server.uri, server.user, NEO4J_PASSWORD)
        yield server, playwright_api
    finally:
        server.stop()


@pytest.fixture(scope="module")
def page(server):
    srv, playwright_api = server
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(srv.browser_url)
        # The connect form is pre-filled with the Bolt address the server really listens on.
        assert page.get_by_test_id("boltaddress").input_value() == f"127.0.0.1:{srv.port}"
        page.get_by_test_id("username").fill(srv.user)
        page.get_by_test_id("password").fill(NEO4J_PASSWORD)
        page.get_by_test_id("connect").click()
        page.get_by_test_id("connect").wait_for(state="detached", timeout=30_000)
        page.errors = errors
        yield page
        browser.close()


def run(page, command: str) -> None:
    """Type a command into Browser's editor as a user does, and run it."""
    page.locator(".monaco-editor").first.click()
    page.keyboard.insert_text(command)
    page.get_by_test_id("editor-Run").click()


def query_text(path: Path) -> str:
    return "\n".join(line for line in path.read_text().splitlines() if not line.startswith("//"))


def test_the_style_applies_as_the_guide_says(page):
    assert ":style" in (CYPHER / "guide.md").read_text() and not GRASS.lstrip().startswith(("/", "//"))
    run(page, ":style " + GRASS)
    page.get_by_text("node.User").first.wait_for(timeout=15_000)  # Browser echoes the style it took
    assert not page.get_by_test_id("frameError").count() and not page.errors, page.errors


@pytest.mark.parametrize("typology", REGISTRY.names())
def test_each_ring_query_draws_its_ring_styled(typology, page, server, tmp_path):
    srv, _ = server
    path = CYPHER / "graph" / REGISTRY[typology].query.file
    params_line = documented_parameters(path)
    with GraphDatabase.driver(srv.uri, auth=(srv.user, NEO4J_PASSWORD), notifications_min_severity="OFF") as driver:
        params = driver.execute_query(f"RETURN {params_line} AS p").records[0]["p"]
        # Draw as many of the top-ranked groups as it takes to show a planted ring (the top ones may be look-alikes).
        for rings in range(1, 11):
            records = driver.execute_query(query_text(path), {**params, "rings": rings}).records
            nodes = {n.element_id: n for r in records for n in r["p"].nodes}
            if any("GT_Fraud" in n.labels for n in nodes.values()):
                break
        params_line = params_line.replace(f"rings: {params['rings']}", f"rings: {rings}")
        # Browser also draws every relationship between the nodes it shows ("connect result nodes", on by default).
        rels = {r["id"] for r in driver.execute_query(
            "MATCH (a)-[r]->(b) WHERE elementId(a) IN $ids AND elementId(b) IN $ids RETURN elementId(r) AS id",
            ids=list(nodes)).records}
    assert nodes, f"{path.name} found no ring to draw"
    frames = page.locator("[data-testid='frame']").count()
    run(page, f":param {params_line}")
    run(page, query_text(path))
    page.wait_for_function(f"document.querySelectorAll(\"[data-testid='frame']\").length >= {frames + 2}")
    frame = page.locator("[data-testid='frame']").first
    frame.locator("svg g.node").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # let the layout settle before counting and taking the picture
    assert frame.locator("svg g.node").count() == len(nodes)
    assert frame.locator("svg g.relationship").count() == len(rels)
    outlines = frame.locator("svg g.node circle.b-outline")
    fills = outlines.evaluate_all("cs => cs.map(c => [c.getAttribute('fill'), c.getAttribute('stroke'), c.getAttribute('stroke-width')])")
    users = [n for n in nodes.values() if "User" in n.labels]
    assert sum(f == STYLE["node.User"] for f, _, _ in fills) == len(users), "users are not drawn in the style's colour"
    fraud = sum("GT_Fraud" in n.labels for n in nodes.values())
    assert fraud and sum(s == "#E83E3E" and w == "6px" for _, s, w in fills) == fraud, "fraud is not marked"
    assert "Error" not in frame.inner_text() and not page.errors, page.errors
    if os.environ.get("GRAPHGEN_SCREENSHOTS"):
        target = Path(os.environ["GRAPHGEN_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        frame.screenshot(path=str(target / f"{typology}.png"))


def test_the_guide_plays_in_browser_with_each_query_a_click_away(page):
    """`graphgen guide` serves cypher/guide.md as a Browser guide: `:guide URL` opens it in the guide drawer, the
    slides page through, and a query block clicked lands in the editor, ready to run."""
    from playwright.sync_api import expect

    from loaders.guide import guide_url, serve_guide

    slides = (CYPHER / "guide.md").read_text().count("\n---\n") + 1
    server = serve_guide(0)
    try:
        run(page, f":guide {guide_url(server)}")
        drawer = page.get_by_test_id("guidesDrawer")
        drawer.get_by_text("hunting fraud rings in Neo4j").first.wait_for(timeout=15_000)
        assert drawer.get_by_test_id(f"pagination-{slides}").count() == 1, "the guide does not show every slide"
        drawer.get_by_test_id("guideNextSlide").click()
        drawer.get_by_text("1. What is in the graph").first.wait_for(timeout=5_000)
        drawer.locator("pre.runnable", has_text="MATCH").first.click()
        overview = query_text(CYPHER / "01_overview.cypher").strip().splitlines()[0]
        expect(page.locator(".monaco-editor").first).to_contain_text(overview, timeout=5_000)
        assert not page.get_by_test_id("frameError").count() and not page.errors, page.errors
    finally:
        server.shutdown()
