"""Random valid and invalid configs never produce a traceback: a build, or one error line and exit 2."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from graphgen.params import Count, FloatRange, IntRange
from graphgen.rings import REGISTRY
from tests.conftest import run_cli

shares = st.one_of(st.floats(-0.3, 1.3, allow_nan=False), st.sampled_from([0.0, 1.0, 0.5]), st.text(max_size=3))
small_share = st.floats(0.0, 0.05)
counts = st.fixed_dictionaries({}, optional={
    "min": st.integers(-2, 8), "median": st.floats(-1, 12, allow_nan=False), "max": st.integers(-1, 20),
    "sigma": st.floats(-0.5, 3.5, allow_nan=False)})
ranges = st.one_of(st.lists(st.integers(-1, 12), min_size=2, max_size=2), st.lists(st.floats(0.01, 60), min_size=2, max_size=2),
                   st.just("3-5"))
typology = st.fixed_dictionaries({}, optional={
    "share": st.one_of(small_share, shares), "size": counts, "users_per_device": ranges, "window_days": ranges,
    "pool_size": ranges, "slot_hours": ranges, "cycle_length": ranges, "rounds": ranges, "hop_hours": ranges,
    "escalation": ranges, "hosting_share": shares, "bogus": st.integers()})
configs = st.fixed_dictionaries({}, optional={
    "users": st.one_of(st.integers(-3, 600), st.sampled_from(["many", None, 1, 2])),
    "seed": st.one_of(st.integers(-2, 2**64), st.just("x")),
    "horizon_days": st.integers(-1, 200),
    "start_date": st.one_of(st.dates().map(str), st.just("yesterday")),
    "population": st.fixed_dictionaries({}, optional={
        "new_user_share": shares, "business_share": shares, "devices_per_user": counts, "accounts_per_user": counts,
        "merchants_per_user": counts, "history_years": st.floats(-1, 40)}),
    "decoys": st.fixed_dictionaries({}, optional={
        "household_share": shares, "household_size": counts, "roommate_share": shares, "vpn_share": shares,
        "shared_terminals_per_10k": st.floats(-1, 2000), "ip_churn_share": shares, "terminal_users": counts}),
    "rings": st.fixed_dictionaries({}, optional={
        "camouflage": shares, "clean_share": shares, "share_scale": st.floats(-1, 20),
        **{name: typology for name in REGISTRY.names()}}),
    "labels": st.fixed_dictionaries({}, optional={"delay_mean_days": st.floats(-1, 400), "unconfirmed_share": shares}),
    "surprise": st.integers(),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs)
def test_any_config_builds_or_fails_with_one_clear_line(config):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(yaml.safe_dump({"preset": "small", "users": 300, **config}))
        out = Path(tmp) / "out"
        result = run_cli("build", "--config", str(path), "--out", str(out), "-q")
        event(f"exit code {result.code}")
        assert "Traceback" not in result.stderr
        if result.code == 0:
            manifest = json.loads((out / "manifest.json").read_text())
            assert manifest["files"]["nodes/users.parquet"]["rows"] >= 1
        else:
            assert result.code == 2
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("graphgen: error:")
            assert not out.exists()


def valid_section(model) -> st.SearchStrategy:
    """Random in-range variants of a typology's config: its share and every range or count it has."""
    fields = {"share": st.floats(0.0, 0.3)}
    for name, info in model.model_fields.items():
        default = info.default
        if isinstance(default, IntRange):
            fields[name] = st.builds(lambda lo, extra: [lo, lo + extra], st.integers(1, default.high + 2), st.integers(0, 6))
        elif isinstance(default, FloatRange):
            fields[name] = st.builds(lambda lo, factor: [lo, lo * factor], st.floats(default.low / 2, default.low * 2),
                                     st.floats(1, 3))
        elif isinstance(default, Count):
            fields[name] = st.builds(lambda lo, extra, sigma: {"min": lo, "median": lo + extra / 2, "max": lo + extra, "sigma": sigma},
                                     st.integers(max(default.min, 1), default.min + 4), st.integers(0, 30), st.floats(0, 2))
    return st.fixed_dictionaries({"share": fields.pop("share")}, optional=fields)


valid_configs = st.fixed_dictionaries({
    "users": st.integers(1, 800),
    "seed": st.integers(0, 2**63 - 1),
    "horizon_days": st.integers(8, 120),
}, optional={
    "population": st.fixed_dictionaries({}, optional={
        "new_user_share": st.floats(0, 1), "business_share": st.floats(0, 1), "employed_share": st.floats(0, 1),
        "crypto_share": st.floats(0, 1)}),
    "decoys": st.fixed_dictionaries({}, optional={
        "household_share": st.floats(0, 1), "roommate_share": st.floats(0, 1), "ip_churn_share": st.floats(0, 1),
        "public_wifi_share": st.floats(0, 1), "shared_terminals_per_10k": st.floats(0, 500)}),
    "rings": st.fixed_dictionaries({
        "camouflage": st.floats(0, 1), "clean_share": st.floats(0, 1),
        **{name: valid_section(t.config_model) for name, t in REGISTRY.items()},
    }),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(config=valid_configs)
def test_extreme_but_valid_configs_build_consistent_graphs(config):
    import graphgen
    from graphgen.config import validate_config
    from graphgen.errors import UsageError

    try:
        cfg = validate_config(config)
    except UsageError:  # e.g. ring sizes below users_per_device: rejected up front, as it should be
        assume(False)
    event(f"rings planted: {sum(cfg.rings.share(n) > 0 for n in REGISTRY.names())} typologies")
    graph = graphgen.generate(cfg).validate()
    txns = graph.transactions
    assert graph.labels["transaction"].num_rows == txns.num_rows
    assert graph.labels["user"].num_rows == graph.nodes["user"].num_rows >= cfg.users
