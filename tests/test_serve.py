"""`graphgen neo4j serve`: a local Neo4j with Browser and the graph loaded, for users without Docker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from loaders import server as harness
from tests.conftest import NEO4J_PASSWORD
from tests.test_neo4j import expected_counts, graph_counts

pytestmark = pytest.mark.neo4j


def start(out: Path, home: Path, bolt: int, http: int) -> tuple[subprocess.Popen, list[str]]:
    """Run the command until it says where Browser is; returns the process and its stderr lines so far."""
    child = subprocess.Popen([sys.executable, "-m", "graphgen.cli", "neo4j", "serve", str(out), "--home", str(home),
                              "--bolt-port", str(bolt), "--http-port", str(http)],
                             env={**os.environ, "NEO4J_PASSWORD": NEO4J_PASSWORD}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    errors: list[str] = []
    threading.Thread(target=lambda: errors.extend(child.stderr), daemon=True).start()
    timer = threading.Timer(600, child.kill)
    timer.start()
    try:
        for line in child.stdout:
            if line.startswith("Neo4j Browser:"):
                assert f"http://127.0.0.1:{http}/browser/" in line
                return child, errors
    finally:
        timer.cancel()
    raise AssertionError(f"graphgen neo4j serve ended (code {child.wait()}): {''.join(errors)}")


def stop(child: subprocess.Popen, signum: int) -> None:
    child.send_signal(signum)
    assert child.wait(timeout=180) == 0


def test_serve_imports_the_folder_then_reuses_it(neo4j_built, small_output, tmp_path):
    bolt, http, home = harness.free_port(), harness.free_port(), tmp_path / "served"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", bolt))
        taken.listen()
        busy = subprocess.run([sys.executable, "-m", "graphgen.cli", "neo4j", "serve", str(small_output), "--home", str(home),
                               "--bolt-port", str(bolt), "--http-port", str(http)],
                              env={**os.environ, "NEO4J_PASSWORD": NEO4J_PASSWORD}, capture_output=True, text=True, timeout=120)
    assert busy.returncode == 2 and busy.stderr.count("\n") == 1 and f"port {bolt}" in busy.stderr
    assert not home.exists()

    expected = {**expected_counts(small_output), "GraphgenMeta": 0}  # imported in bulk, not by the online loader
    child, errors = start(small_output, home, bolt, http)
    try:
        with GraphDatabase.driver(f"bolt://127.0.0.1:{bolt}", auth=("neo4j", NEO4J_PASSWORD),
                                  notifications_min_severity="OFF") as driver:
            assert graph_counts(driver) == expected
            constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
            assert "user_user_id" in constraints
        with urllib.request.urlopen(f"http://127.0.0.1:{http}/browser/", timeout=30) as page:
            assert page.status == 200 and b"<html" in page.read(4096).lower()
    finally:
        stop(child, signal.SIGINT)
    assert any("importing" in line for line in errors)
    assert not harness.port_in_use(bolt) and not harness.port_in_use(http)

    child, errors = start(small_output, home, bolt, http)  # the second start reuses the imported database
    try:
        with GraphDatabase.driver(f"bolt://127.0.0.1:{bolt}", auth=("neo4j", NEO4J_PASSWORD),
                                  notifications_min_severity="OFF") as driver:
            assert graph_counts(driver) == expected
    finally:
        stop(child, signal.SIGTERM)
    assert not any("importing" in line for line in errors)
    assert NEO4J_PASSWORD not in "".join(errors)
