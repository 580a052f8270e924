"""Nothing corrupted gets through and every failure is one line: damaged input, full disks, signals.

The failures that need a server (a lost server, concurrent loads) are in tests/test_neo4j_faults.py.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphgen.errors import UsageError
from graphgen.output import MANIFEST, OutputFolder
from tests.conftest import run_cli

READERS = {  # command -> what it would write into the folder if it went through
    "stats": None,
    "export neo4j": "neo4j",
    "export tabular": "tabular",
    "export pyg": "pyg",
    "bench --models xgb_raw --seeds 1": "bench",
    "audit": "tabular",
}


def flip_bit(path: Path, position: float = 0.5, bit: int = 4) -> None:
    data = bytearray(path.read_bytes())
    data[int(position * (len(data) - 1))] ^= 1 << bit
    path.write_bytes(bytes(data))


DAMAGE = {
    "bit flip": lambda p: flip_bit(p),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "missing": lambda p: p.unlink(),
    "not parquet": lambda p: p.write_bytes(b"PAR1" + b"\0" * (p.stat().st_size - 4)),
}


@pytest.fixture
def damaged(small_output, tmp_path):
    """A copy of the small build whose transactions file gets damaged."""
    copy = tmp_path / "out"
    shutil.copytree(small_output, copy)
    return copy


def one_error_line(result, *expected: str) -> str:
    assert result.code == 2, (result.code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("graphgen: error:"), result.stderr
    for text in expected:
        assert text in lines[0]
    return lines[0]


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("command", list(READERS))
def test_every_reader_refuses_a_damaged_file_in_one_line_and_writes_nothing(damaged, command, damage):
    DAMAGE[damage](damaged / "transactions.parquet")
    before = sorted(p.name for p in damaged.iterdir())
    result = run_cli(*command.split()[:1], *command.split()[1:2] if command.startswith("export") else (),
                     str(damaged), *command.split()[2 if command.startswith("export") else 1:])
    one_error_line(result, "transactions.parquet")
    assert sorted(p.name for p in damaged.iterdir()) == before, "a damaged input must not produce output"


def test_a_damaged_manifest_is_refused(damaged):
    manifest = json.loads((damaged / MANIFEST).read_text())
    manifest["config"]["users"] += 1  # a plausible edit: the tables no longer match the config
    (damaged / MANIFEST).write_text(json.dumps(manifest))
    one_error_line(run_cli("stats", str(damaged)), "manifest.json")


def test_no_verify_skips_the_hashes_but_not_the_size_check(damaged):
    flip_bit(damaged / "transactions.parquet")
    assert run_cli("stats", str(damaged), "--no-verify").code == 0  # the user vouches for the bytes
    target = damaged / "labels" / "rings.parquet"
    target.write_bytes(target.read_bytes()[:-10])
    one_error_line(run_cli("stats", str(damaged), "--no-verify"), "rings.parquet", "bytes")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file_index=st.integers(0, 10_000), position=st.floats(0, 1), bit=st.integers(0, 7))
def test_any_single_bit_flip_in_any_output_file_is_caught_before_use(small_output, tmp_path_factory, file_index, position, bit):
    copy = tmp_path_factory.mktemp("flip") / "out"
    shutil.copytree(small_output, copy)
    files = sorted(p for p in copy.rglob("*") if p.is_file())
    target = files[file_index % len(files)]
    flip_bit(target, position, bit)
    with pytest.raises(UsageError):
        OutputFolder(copy).verify()


# -- disk full ------------------------------------------------------------------------------------------
def mount_tmpfs(mount: Path, size: str) -> None:
    """A small tmpfs (needs root, as in CI); the test is skipped with the reason elsewhere."""
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount_tmpfs(mount, "8m")  # the small build (about 5 MiB) fits; its Neo4j bundle as well does not
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("options, expected", [
    (["--format", "xml"], "unknown bundle format 'xml'"),
    (["--payments", "edges"], "unknown payment model 'edges'"),
    (["--compress"], "csv format only"),
])
def test_a_bundle_that_cannot_be_written_as_asked_is_one_line(small_output, tmp_path, options, expected):
    build = tmp_path / "out"
    shutil.copytree(small_output, build)
    one_error_line(run_cli("export", "neo4j", str(build), *options), expected)
    assert not (build / "neo4j").exists()


def test_the_guide_on_a_port_in_use_is_one_line():
    from loaders.guide import serve_guide

    taken = serve_guide(0)
    try:
        one_error_line(run_cli("guide", "--port", str(taken.server_address[1])), "cannot serve the guide")
    finally:
        taken.shutdown()


def test_a_full_disk_is_one_line_and_leaves_nothing_behind(small_disk, small_output):
    (small_disk / "filler").write_bytes(b"\0" * (5 << 20))
    one_error_line(run_cli("build", "--preset", "small", "--out", str(small_disk / "out"), "-q"), "No space left on device")
    assert [p.name for p in small_disk.iterdir()] == ["filler"]
    (small_disk / "filler").unlink()

    build = small_disk / "build"
    shutil.copytree(small_output, build)
    before = sorted(p.name for p in build.iterdir())
    one_error_line(run_cli("export", "neo4j", str(build)), "No space left on device")
    assert sorted(p.name for p in build.iterdir()) == before and [p.name for p in small_disk.iterdir()] == ["build"]


# -- signals --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_build_is_one_line_and_leaves_nothing_that_looks_complete(tmp_path, signum, code):
    out = tmp_path / "big"
    child = subprocess.Popen([sys.executable, "-m", "graphgen.cli", "build", "--users", "400000", "--out", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    assert child.poll() is None, "the build finished before the signal: " + child.stderr.read()
    child.send_signal(signum)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == code
    assert stderr.strip().splitlines() == ["graphgen: error: interrupted"], stderr
    assert list(tmp_path.iterdir()) == [], "a staging folder or partial output was left"
