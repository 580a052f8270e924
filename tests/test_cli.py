"""`graphgen build / stats / presets / schema` end to end, reproducibility, and bad input."""

from __future__ import annotations

import hashlib
import re
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from graphgen import schema
from graphgen.config import preset_names
from tests.conftest import run_cli


def test_build_writes_every_table_and_a_manifest(small_output):
    manifest = json.loads((small_output / "manifest.json").read_text())
    for spec in schema.all_specs():
        path = small_output / spec.path
        assert path.is_file(), spec.path
        entry = manifest["files"][spec.path]
        assert pq.read_metadata(path).num_rows == entry["rows"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    assert manifest["config"]["users"] == 10_000 and manifest["seed"] == manifest["config"]["seed"]
    assert set(manifest["stage_seconds"]) == {"population", "rings", "transactions", "events", "labels"}
    assert not any(p.name.startswith(".") for p in small_output.parent.iterdir()), "staging folder left behind"


def test_same_config_and_seed_give_byte_identical_files(small_output, tmp_path):
    again = tmp_path / "again"
    assert run_cli("build", "--preset", "small", "--out", str(again), "-q").code == 0
    first = json.loads((small_output / "manifest.json").read_text())["files"]
    second = json.loads((again / "manifest.json").read_text())["files"]
    assert {k: v["sha256"] for k, v in first.items()} == {k: v["sha256"] for k, v in second.items()}
    other = tmp_path / "other"
    assert run_cli("build", "--preset", "small", "--seed", "8", "--out", str(other), "-q").code == 0
    third = json.loads((other / "manifest.json").read_text())["files"]
    assert first["transactions.parquet"]["sha256"] != third["transactions.parquet"]["sha256"]


def test_build_prints_a_summary_and_stats_prints_the_same(tmp_path):
    out = tmp_path / "tiny"
    built = run_cli("build", "--users", "2000", "--seed", "1", "--out", str(out))
    assert built.code == 0, built.stderr
    for heading in ("Rows per file", "Rings per typology", "Fraud rates", "Seconds per stage"):
        assert heading in built.stdout
    stats = run_cli("stats", str(out))
    assert stats.code == 0
    summary = built.stdout.split("Seconds per stage")[0]
    assert stats.stdout.split("Seconds per stage")[0] == summary


def test_presets_and_schema(tmp_path):
    listed = run_cli("presets")
    assert listed.code == 0
    assert {"small", "default", "large", "fraud_heavy", "stress"} <= set(preset_names())
    for name in preset_names():
        assert name in listed.stdout
    target = tmp_path / "schema.json"
    assert run_cli("schema", "--out", str(target)).code == 0
    exported = json.loads(target.read_text())
    assert {"users", "seed", "rings", "decoys", "labels"} <= set(exported["properties"])


def test_config_file_and_flags_override_the_preset(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("preset: small\nusers: 1500\nrings:\n  kiting: {share: 0.01}\n  clean_share: 0.1\n")
    out = tmp_path / "o"
    assert run_cli("build", "--config", str(config), "--seed", "5", "--difficulty", "hard", "--out", str(out), "-q").code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["users"] == 1500 and manifest["seed"] == 5
    assert manifest["config"]["rings"]["kiting"]["share"] == 0.01
    rings = manifest["config"]["rings"]
    assert manifest["config"]["difficulty"] == "hard" and rings["camouflage"] == 0.9 and rings["mimicry"] == 0.9
    assert rings["clean_share"] == 0.1  # a key given explicitly wins over the level
    bad = run_cli("build", "--difficulty", "extreme", "--out", str(tmp_path / "x"), "-q")
    assert bad.code == 2 and "difficulty" in bad.stderr


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return str(path)


BAD_INPUTS = {
    "zero users": (lambda t: ["--users", "0"], "users"),
    "negative users": (lambda t: ["--users", "-5"], "users"),
    "share above 1": (lambda t: ["--config", _write(t, "rings:\n  kiting: {share: 1.5}\n")], "rings.kiting.share"),
    "shares past 1": (lambda t: ["--config", _write(t, "rings:\n  kiting: {share: 0.6}\n  ip_recycling: {share: 0.6}\n")], "past 1"),
    "negative share": (lambda t: ["--config", _write(t, "decoys:\n  vpn_share: -0.1\n")], "decoys.vpn_share"),
    "unknown preset": (lambda t: ["--preset", "huge"], "unknown preset"),
    "unknown key": (lambda t: ["--config", _write(t, "userz: 10\n")], "userz: unknown key"),
    "unknown nested key": (lambda t: ["--config", _write(t, "rings:\n  kiting: {legnth: 3}\n")], "rings.kiting.legnth"),
    "malformed yaml": (lambda t: ["--config", _write(t, "users: [1, 2\nseed: 3\n")], "malformed YAML"),
    "yaml not a mapping": (lambda t: ["--config", _write(t, "- 1\n- 2\n")], "mapping"),
    "missing config file": (lambda t: ["--config", str(t / "nope.yaml")], "cannot read"),
    "bad range": (lambda t: ["--config", _write(t, "rings:\n  kiting: {cycle_length: [8, 3]}\n")], "must not exceed"),
    "unknown option": (lambda t: ["--userz", "3"], "No such option"),
    "not a number": (lambda t: ["--users", "many"], "--users"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gets_one_line_exit_2_and_writes_nothing(case, tmp_path):
    make_args, expected = BAD_INPUTS[case]
    args = make_args(tmp_path)
    out = tmp_path / "out"
    before = set(tmp_path.iterdir())
    result = run_cli("build", *args, "--out", str(out), "-q")
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("graphgen: error:"), result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert set(tmp_path.iterdir()) == before, "bad input must not write anything"


def test_existing_output_needs_overwrite_and_is_replaced_atomically(small_output, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("user data")
    refused = run_cli("build", "--users", "500", "--out", str(out), "-q")
    assert refused.code == 2 and "--overwrite" in refused.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert run_cli("build", "--users", "500", "--out", str(out), "--overwrite", "-q").code == 0
    assert (out / "manifest.json").is_file() and not (out / "keep.txt").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("where", ["file_as_parent", "read_only"])
def test_unwritable_output_path(tmp_path, where):
    if where == "file_as_parent":
        blocker = tmp_path / "file"
        blocker.write_text("x")
        out = blocker / "out"
    else:
        if os.geteuid() == 0:
            out = Path("/proc/graphgen-out")  # root may write anywhere but a pseudo-filesystem
        else:
            locked = tmp_path / "locked"
            locked.mkdir(mode=0o500)
            out = locked / "out"
    result = run_cli("build", "--users", "500", "--out", str(out), "-q")
    assert result.code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "cannot write" in result.stderr
    assert not out.exists()


def test_stats_on_an_incomplete_folder_is_refused(tmp_path):
    (tmp_path / "nodes").mkdir()
    result = run_cli("stats", str(tmp_path))
    assert result.code == 2 and "manifest.json" in result.stderr


def test_ci_runs_the_readme_test_command():
    root = Path(__file__).parent.parent
    blocks = re.findall(r"```bash\n(.*?)\n```", (root / "README.md").read_text(), flags=re.S)
    main_job, test_command = blocks[0].strip(), blocks[1].strip()
    assert "graphgen build --preset small --out out" in main_job
    assert test_command in (root / ".ci" / "run").read_text()


def test_help_and_confirmations_are_clean(tmp_path):
    for command in (["build", "--help"], ["load", "neo4j", "--help"], ["export", "tabular", "--help"]):
        result = run_cli(*command)
        assert result.code == 0 and "<bool>" not in result.stdout, result.stdout
    target = tmp_path / "schema.json"
    result = run_cli("schema", "--out", str(target))
    assert result.code == 0 and str(target) in result.stdout and target.is_file()


def test_a_non_bolt_uri_is_one_line_without_driver_warnings(small_output, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "not-needed-here")
    result = run_cli("load", "neo4j", str(small_output), "--uri", "http://localhost:7474")
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "Bolt" in result.stderr


def test_builds_in_separate_processes_are_byte_identical(small_output, tmp_path):
    """Another process, with another string-hash seed: nothing may depend on set order or on process state."""
    import subprocess
    import sys

    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "graphgen.cli", "build", "--preset", "small", "--out", str(out), "-q"],
                   check=True, env=env)
    first = json.loads((small_output / "manifest.json").read_text())["files"]
    second = json.loads((out / "manifest.json").read_text())["files"]
    assert {k: v["sha256"] for k, v in first.items()} == {k: v["sha256"] for k, v in second.items()}
