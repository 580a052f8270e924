"""Shared fixtures: one `small` graph in memory and one `small` output folder built by the CLI."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

import graphgen
from graphgen.cli import main as cli_main
from graphgen.config import resolve_config


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> CliResult:
    """Run the graphgen CLI in-process, as a user would from a shell."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli_main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def small_config():
    return resolve_config("small")


@pytest.fixture(scope="session")
def small_graph(small_config):
    return graphgen.generate(small_config)


@pytest.fixture(scope="session")
def heavy():
    """20K users with five times the default ring shares: enough positives for rates and AUROCs."""
    config = resolve_config("fraud_heavy", overrides={"users": 20_000, "seed": 3})
    return config, graphgen.generate(config)


@pytest.fixture(scope="session")
def small_output(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "small"
    result = run_cli("build", "--preset", "small", "--out", str(out), "--quiet")
    assert result.code == 0, result.stderr
    return out


# -- Neo4j ----------------------------------------------------------------------------------------------
NEO4J_PASSWORD = "graphgen-test-password"
REPORTED: list[str] = []  # lines for the terminal summary (for example the ring queries' precision)


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory, neo4j_built):
    """A real Neo4j 5.26 server for the session (see neo4j_built for when it is skipped)."""
    yield from started_server(tmp_path_factory.mktemp("neo4j-home"))


@pytest.fixture(scope="session")
def neo4j_built() -> None:
    """The Neo4j server built (once per version of its sources); skipped with a reason only where Java/Maven
    are missing and GRAPHGEN_REQUIRE_NEO4J is not set (CI sets it, so there it fails instead of skipping)."""
    import os

    from loaders import server as harness

    reason = harness.unavailable()
    if reason:
        if os.environ.get("GRAPHGEN_REQUIRE_NEO4J"):
            pytest.fail(f"the Neo4j tests are required here but {reason}")
        pytest.skip(reason)
    harness.build()


def started_server(home: Path):
    """Run one server in ``home`` until the generator is closed."""
    from loaders import server as harness

    server = harness.Neo4jServer(home, NEO4J_PASSWORD).start()
    yield server
    server.stop()


def pytest_terminal_summary(terminalreporter):
    if REPORTED:
        terminalreporter.section("graphgen measurements")
        for line in REPORTED:
            terminalreporter.write_line(line)
