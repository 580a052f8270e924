"""Every code block of the README runs, as a user would run it from a fresh folder.

Bash blocks run line by line with the installed `graphgen`; the YAML block is written to a file and built;
Python blocks run after the bash blocks (they read what those wrote). Two substitutions keep the suite fast:
`--preset default` becomes `--preset small` and `--seeds 5` becomes `--seeds 1 --epochs 4`. Lines that need
what this machine cannot give (a virtualenv install, Docker) are listed below and must be the only ones skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
NOT_HERE = (  # line starts that cannot run in the suite, with the test that covers them instead
    "python3 -m venv",  # the install itself: .ci/run is that command (test_cli.test_ci_runs_the_readme_test_command)
    "docker compose",  # no Docker engine: test_neo4j_files checks the compose file and its import command
    "graphgen guide",  # serves until Ctrl-C: test_browser plays the guide it serves in the real Browser
    "graphgen neo4j serve",  # serves until Ctrl-C: test_serve starts, queries and stops it
)
FAST = (("--preset default", "--preset small"), ("--seeds 5", "--seeds 1 --epochs 4"))


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)


def commands(block: str) -> list[str]:
    out = []
    for line in block.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        for slow, fast in FAST:
            line = line.replace(slow, fast)
        out.append(line)
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("readme")


def run(line: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    graphgen = str(Path(sys.executable).parent / "graphgen")
    line = re.sub(r"(^|&& |\.venv/bin/)graphgen ", lambda m: f"{graphgen} ", line)
    return subprocess.run(line, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_every_readme_block_runs(workdir):
    env = {**os.environ, "NEO4J_PASSWORD": "unused-here-1"}
    skipped = []
    for block in blocks("bash"):
        for line in commands(block):
            if line.startswith(NOT_HERE):
                skipped.append(line)
                continue
            if "pip install" in line:  # the first block: install, then the main job
                line = line.split("&& ", 2)[-1]
            if line.startswith("export "):
                key, value = line.removeprefix("export ").split("=", 1)
                env[key] = value.strip("'\"")
                continue
            result = run(line, workdir, env)
            assert result.returncode == 0, f"{line}\n{result.stderr[-2000:]}"
    assert all(line.startswith(NOT_HERE) for line in skipped)
    for text in blocks("yaml"):
        (workdir / "config.yaml").write_text(text.replace("users: 20000", "users: 3000"))
        result = run("graphgen build --config config.yaml --out out-yaml", workdir, env)
        assert result.returncode == 0, result.stderr
    for code in blocks("python"):
        if "@register(" in code:  # the "add a typology" example: a new file in a copy of the package
            package = workdir / "pkg"
            shutil.copytree(ROOT / "graphgen", package / "graphgen", ignore=shutil.ignore_patterns("__pycache__"))
            (package / "graphgen" / "rings" / "fan_in.py").write_text(code + "\n")
            result = subprocess.run([sys.executable, "-m", "graphgen.cli", "build", "--preset", "small", "--out",
                                     str(workdir / "out-fan-in")], cwd=workdir, capture_output=True, text=True,
                                    env={**env, "PYTHONPATH": str(package)})
            assert result.returncode == 0 and "fan_in" in result.stdout, result.stderr
            continue
        result = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, env=env)
        assert result.returncode == 0, f"{code}\n{result.stderr[-2000:]}"
