"""Loads under faults, against a real Neo4j of their own: concurrent loads, forced takeovers, damaged input,
signals, and a server killed mid-load and restarted on its existing home. After any of these the database
ends with exact counts and no duplicated node or relationship."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from loaders.model import LOCK_LABEL, META_LABEL
from loaders.online import wipe_database
from tests.conftest import NEO4J_PASSWORD, run_cli, started_server
from tests.test_failures import flip_bit
from tests.test_neo4j import expected_counts, graph_counts, query

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def server(tmp_path_factory, neo4j_built):
    yield from started_server(tmp_path_factory.mktemp("faults-home"))


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("faults") / "out"
    assert run_cli("build", "--users", "3000", "--seed", "5", "--out", str(out), "-q").code == 0
    return out


def connect(server):
    return GraphDatabase.driver(server.uri, auth=(server.user, NEO4J_PASSWORD), notifications_min_severity="OFF")


@pytest.fixture
def driver(server):
    with connect(server) as d:
        yield d


def start_load(server, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "graphgen.cli", "load", "neo4j", str(out), "--uri", server.uri, *extra],
                            env={**os.environ, "NEO4J_PASSWORD": NEO4J_PASSWORD}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def run_load(server, out: Path, *extra: str) -> subprocess.CompletedProcess:
    child = start_load(server, out, *extra)
    _, stderr = child.communicate(timeout=600)
    return subprocess.CompletedProcess(child.args, child.returncode, "", stderr)


def wait_for(driver, cypher: str, child: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, "the load ended too early: " + child.stderr.read()
        if query(driver, cypher)[0]["ok"]:
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {cypher}")


SENDING = "MATCH (:Account)-[r:SENT]->() RETURN count(r) > 0 AS ok"
LOCKED = f"MATCH (l:{LOCK_LABEL}) RETURN count(l) > 0 AS ok"


def duplicates(driver) -> int:
    return query(driver, "MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, count(*) AS n WHERE n > 1 RETURN count(*) AS c")[0]["c"]


def one_line(stderr: str, *expected: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("graphgen: error:") and "Traceback" not in stderr, stderr
    for text in expected:
        assert text in lines[0], lines[0]


def test_a_second_load_is_refused_while_the_first_runs(server, driver, data):
    wipe_database(driver, "neo4j")
    first = start_load(server, data, "--batch-size", "200", "--force-unlock")
    wait_for(driver, LOCKED, first)
    second = run_load(server, data)
    assert second.returncode == 2
    one_line(second.stderr, "is being loaded by", "wait for it")
    assert first.wait(timeout=600) == 0, first.stderr.read()
    assert graph_counts(driver) == expected_counts(data) and duplicates(driver) == 0


def test_forced_concurrent_loads_never_duplicate(server, driver, data):
    wipe_database(driver, "neo4j")
    first = start_load(server, data, "--batch-size", "300")
    wait_for(driver, SENDING, first)
    second = run_load(server, data, "--batch-size", "300", "--force-unlock")
    first.wait(timeout=600)
    for child_code, stderr in ((first.returncode, first.stderr.read()), (second.returncode, second.stderr)):
        assert child_code in (0, 2), stderr
        if child_code == 2:
            one_line(stderr)
    assert duplicates(driver) == 0, "two loads at once duplicated relationships"
    again = run_load(server, data, "--force-unlock")
    assert again.returncode == 0, again.stderr
    assert graph_counts(driver) == expected_counts(data) and duplicates(driver) == 0


def test_damaged_input_never_reaches_the_database(server, driver, data, tmp_path):
    assert run_load(server, data, "--force-unlock").returncode == 0
    before = graph_counts(driver)
    damaged = tmp_path / "out"
    shutil.copytree(data, damaged)
    flip_bit(damaged / "transactions.parquet")
    result = run_load(server, damaged)
    assert result.returncode == 2
    one_line(result.stderr, "transactions.parquet", "sha256")
    assert graph_counts(driver) == before
    assert query(driver, f"MATCH (m:{META_LABEL}) RETURN m.status AS s")[0]["s"] == "complete", "a refused load changed the status"


def test_sigterm_mid_load_is_one_line_releases_the_lock_and_resumes(server, driver, data):
    wipe_database(driver, "neo4j")
    child = start_load(server, data, "--batch-size", "200")
    wait_for(driver, SENDING, child)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 143, stderr
    assert stderr.strip().splitlines() == ["graphgen: error: interrupted"], stderr
    assert graph_counts(driver)[LOCK_LABEL] == 0, "the interrupted load kept its lock"
    assert query(driver, f"MATCH (m:{META_LABEL}) RETURN m.status AS s")[0]["s"] == "loading", "status must say what is true"
    resumed = run_load(server, data, "--batch-size", "200")  # no --force-unlock needed; skips the committed batches
    assert resumed.returncode == 0, resumed.stderr
    assert graph_counts(driver) == expected_counts(data) and duplicates(driver) == 0


def test_a_server_killed_mid_load_restarts_and_the_load_finishes_exactly(server, data):
    with connect(server) as d:
        wipe_database(d, "neo4j")
        child = start_load(server, data, "--batch-size", "200", "--force-unlock")
        wait_for(d, SENDING, child)
    server.kill()
    _, stderr = child.communicate(timeout=300)
    assert child.returncode == 2
    one_line(stderr, "lost the connection")
    server.start()  # the same home: the harness restarts on it
    refused = run_load(server, data)
    assert refused.returncode == 2 and "--force-unlock" in refused.stderr or refused.returncode == 0, refused.stderr
    finished = run_load(server, data, "--force-unlock")
    assert finished.returncode == 0, finished.stderr
    with connect(server) as d:
        assert graph_counts(d) == expected_counts(data) and duplicates(d) == 0
