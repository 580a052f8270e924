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
