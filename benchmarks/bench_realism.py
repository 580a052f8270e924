"""How believable and how hard the data is, per difficulty level: rhythms, tails, dormancy and the audits.

    python benchmarks/bench_realism.py --preset default --seeds 11 12 13 14 15

For each difficulty level and build seed, builds the preset and measures, from the written Parquet tables:
- the legitimate payments' rhythm: busiest / quietest hour of the day, share of direct debits on weekends;
- the share of users with no transaction in the horizon (dormant customers);
- among people (not businesses, not fraud), p99 / median of payments sent;
- the structural audit (`graphgen audit`'s second table): per typology, the best F1 of any single threshold
  on any one structural signal;
- the column audit: the highest single-column AUROC (features, ids, row order) on any split.
Medians over seeds go to benchmarks/results/realism_<preset>.{json,md}. With `--levels LEVEL --keep-others` only
that level is measured and the other levels are carried over from the results already there (same preset and
seeds), for a change that leaves the other levels' data byte-identical.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from bench_build import RESULTS, machine  # noqa: E402

import graphgen  # noqa: E402
from gnn.audit import audit, structural_audit  # noqa: E402
from graphgen.sampling import DAY, HOUR  # noqa: E402

LEVELS = ("easy", "medium", "hard")


def rhythm(out: Path) -> dict[str, float]:
    """Rhythm, dormancy and activity-tail figures of one build."""
    g = graphgen.read_graph(out)
    t = g.transactions
    fraud = g.labels["transaction"].column("is_fraud").to_numpy(zero_copy_only=False)
    ts = t.column("ts").cast("int64").to_numpy()
    legit = ~fraud
    hours = np.bincount((ts[legit] % DAY) // HOUR, minlength=24)
    direct_debit = pc.equal(t.column("channel"), "direct_debit").to_numpy(zero_copy_only=False) & legit
    weekend = ((ts // DAY + 3) % 7) >= 5  # 1970-01-01 was a Thursday
    owner = g.edges["has_account"].column("user_id").to_numpy()
    users = g.num_nodes("user")
    touched = np.zeros(users, bool)
    touched[t.column("user_id").to_numpy()] = True
    touched[owner[t.column("dst_account_id").to_numpy()]] = True
    person = pc.not_equal(g.nodes["user"].column("segment"), "business").to_numpy(zero_copy_only=False)
    person &= ~g.labels["user"].column("is_fraud").to_numpy(zero_copy_only=False)
    sent = np.bincount(t.column("user_id").to_numpy()[legit], minlength=users)[person]
    return {
        "busiest_over_quietest_hour": float(hours.max() / max(hours.min(), 1)),
        "direct_debits_on_weekends": float(weekend[direct_debit].mean()),
        "users_without_transaction": float(1 - touched.mean()),
        "people_sent_p99_over_median": float(np.quantile(sent, 0.99) / max(np.median(sent), 1)),
    }


def measure(preset: str, level: str, seed: int) -> dict:
    graphgen_cli = str(Path(sys.executable).parent / "graphgen")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([graphgen_cli, "build", "--preset", preset, "--difficulty", level, "--seed", str(seed),
                        "--out", str(out), "-q"], check=True)
        figures = rhythm(out)
        best: dict[str, dict] = {}
        for s in structural_audit(out):
            if s.f1 > best.get(s.typology, {}).get("f1", -1):
                best[s.typology] = {"f1": s.f1, "rule": s.rule, "recall": s.recall, "precision": s.precision}
        columns = audit(out)
    figures["structural_best_f1"] = best
    figures["worst_column"] = {"column": columns[0].column, "auroc": columns[0].worst}
    return figures


def kept_levels(args: argparse.Namespace) -> dict:
    """The results already there, when measured on the same preset and seeds."""
    path = RESULTS / f"realism_{args.preset}.json"
    earlier = json.loads(path.read_text()) if path.is_file() else {}
    if earlier.get("preset") != args.preset or earlier.get("seeds") != args.seeds:
        sys.exit(f"{path} was measured on another preset or other seeds: measure every level")
    return earlier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13, 14, 15])
    parser.add_argument("--levels", nargs="+", default=list(LEVELS), choices=LEVELS)
    parser.add_argument("--keep-others", action="store_true")
    args = parser.parse_args()
    earlier = kept_levels(args) if args.keep_others else {}
    runs = {level: [] for level in args.levels}
    for level in args.levels:
        for seed in args.seeds:
            print(f"{level} seed {seed} ...", flush=True)
            runs[level].append(measure(args.preset, level, seed))
    summary = {}
    for level, measured in runs.items():
        scalar = {k: statistics.median(r[k] for r in measured) for k in measured[0] if isinstance(measured[0][k], float)}
        typologies = measured[0]["structural_best_f1"]
        scalar["structural_best_f1"] = {t: statistics.median(r["structural_best_f1"][t]["f1"] for r in measured) for t in typologies}
        scalar["structural_best_rule"] = {t: measured[0]["structural_best_f1"][t]["rule"] for t in typologies}
        scalar["worst_column_auroc"] = statistics.median(r["worst_column"]["auroc"] for r in measured)
        scalar["worst_column"] = measured[0]["worst_column"]["column"]
        summary[level] = scalar
    carried = {level: earlier["runs"][level] for level in LEVELS if level in earlier.get("runs", {}) and level not in runs}
    runs = {level: runs.get(level) or carried[level] for level in LEVELS if level in runs or level in carried}
    summary = {level: summary.get(level) or earlier["summary"][level] for level in runs}
    record = {"preset": args.preset, "seeds": args.seeds, "date": dt.date.today().isoformat(), "machine": machine(),
              "summary": summary, "runs": runs}
    if carried:
        record["carried_over"] = {level: earlier.get("carried_over", {}).get(level, earlier["date"]) for level in carried}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"realism_{args.preset}.json").write_text(json.dumps(record, indent=2) + "\n")
    typologies = list(next(iter(summary.values()))["structural_best_f1"])
    lines = [f"# Realism and difficulty on `{args.preset}` (medians over build seeds {', '.join(map(str, args.seeds))})", "",
             f"{record['date']}, {record['machine']}"
             + "".join(f"; `{level}` carried over from {when}" for level, when in record.get("carried_over", {}).items()), "",
             "| level | busiest/quietest hour | direct debits on weekends | users without a transaction | people p99/median sent | "
             + " | ".join(f"best single rule F1: {t}" for t in typologies) + " | worst single column AUROC |",
             "|---" * (6 + len(typologies)) + "|"]
    for level, s in summary.items():
        lines.append(f"| {level} | {s['busiest_over_quietest_hour']:.1f} | {s['direct_debits_on_weekends']:.1%} | "
                     f"{s['users_without_transaction']:.1%} | {s['people_sent_p99_over_median']:.1f} | "
                     + " | ".join(f"{s['structural_best_f1'][t]:.2f} (`{s['structural_best_rule'][t]}`)" for t in typologies)
                     + f" | {s['worst_column_auroc']:.3f} (`{s['worst_column']}`) |")
    (RESULTS / f"realism_{args.preset}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
