"""Hyper-parameter search for the bench's GNNs, on the validation split only.

    python benchmarks/search_gnn.py --difficulty medium --seeds 2
    python benchmarks/search_gnn.py --root OUT --architectures pna --grid tiny --out DIR

A coordinate search: start from the architecture's current settings (gnn.hetero.SETTINGS), try each value of
one parameter at a time (hidden size, layers, learning rate, dropout, weight on the positives), keep the one with
the best mean validation AUPRC over the seeds, move to the next parameter. Test users are never scored. The
chosen settings are printed and written to DIR/search.md and DIR/search.json; copy them into SETTINGS.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_build import RESULTS, machine  # noqa: E402

GRIDS = {
    "full": {"hidden": [32, 64, 128], "layers": [2, 3], "lr": [0.003, 0.01, 0.03], "dropout": [0.0, 0.2, 0.4],
             "positive_weight": [0.3, 1.0]},
    "quick": {"lr": [0.01, 0.03], "dropout": [0.0, 0.2], "positive_weight": [0.3, 1.0]},
    "tiny": {"hidden": [16, 32], "lr": [0.03]},
}


def search(root: Path, architectures: list[str], grid: dict[str, list], seeds: int, epochs: int | None) -> dict:
    from gnn.benchrun import BenchRun
    from gnn.features import GraphArrays
    from gnn.hetero import SETTINGS, bench_graphs, train_gnn
    from graphgen.output import read_graph
    from gnn.tabular import build_training_set

    graph = read_graph(root)
    arrays = GraphArrays(graph)
    cache, structures = {}, {}
    runs = [BenchRun(graph, arrays, build_training_set(graph, "temporal", seed, arrays, cache), seed, epochs, cache, structures)
            for seed in range(seeds)]
    tried: dict[str, list[dict]] = {}
    chosen = {}
    for architecture in architectures:
        best = SETTINGS[architecture]
        scores: dict[tuple, dict] = {}

        def score(settings) -> float:
            key = tuple(dataclasses.astuple(settings))
            if key not in scores:
                started = time.perf_counter()
                graphs = [bench_graphs(run) for run in runs]
                auprc = [train_gnn(architecture, g["train"], g["val"], run.seed, settings, epochs).best_val_auprc
                         for run, g in zip(runs, graphs)]
                scores[key] = {**dataclasses.asdict(settings), "val_auprc": float(np.mean(auprc)),
                               "val_auprc_std": float(np.std(auprc)), "seconds": (time.perf_counter() - started) / len(runs)}
                print(f"{architecture} {dataclasses.asdict(settings)}: validation AUPRC {np.mean(auprc):.3f}", flush=True)
            return scores[key]["val_auprc"]

        for name, values in grid.items():
            best = max((dataclasses.replace(best, **{name: v}) for v in values), key=score)
        tried[architecture] = list(scores.values())
        chosen[architecture] = {**dataclasses.asdict(best), "val_auprc": score(best)}
    return {"dataset": str(root), "seeds": seeds, "grid": grid, "tried": tried, "chosen": chosen}


def markdown(results: dict, title: str) -> str:
    lines = [f"# GNN hyper-parameter search: {title}", "",
             f"Coordinate search on the validation split, mean over {results['seeds']} seed(s); test users never scored.", ""]
    for architecture, rows in results["tried"].items():
        lines += [f"## {architecture}", "", "| hidden | layers | lr | dropout | positive weight | val AUPRC | seconds per seed |",
                  "|---:|---:|---:|---:|---:|---|---:|"]
        for r in sorted(rows, key=lambda r: -r["val_auprc"]):
            lines.append(f"| {r['hidden']} | {r['layers']} | {r['lr']:g} | {r['dropout']:g} | {r['positive_weight']:g} | "
                         f"{r['val_auprc']:.3f} ± {r['val_auprc_std']:.3f} | {r['seconds']:.0f} |")
        c = results["chosen"][architecture]
        lines += ["", f"Chosen: hidden {c['hidden']}, layers {c['layers']}, lr {c['lr']:g}, dropout {c['dropout']:g}, "
                  f"positive weight {c['positive_weight']:g} (validation AUPRC {c['val_auprc']:.3f}).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, help="an existing `graphgen build` output (default: build `--preset`)")
    parser.add_argument("--preset", default="default")
    parser.add_argument("--difficulty", default="medium", choices=["easy", "medium", "hard"])
    parser.add_argument("--architectures", default="pna", help="comma-separated: sage, gat, pna")
    parser.add_argument("--grid", default="full", choices=sorted(GRIDS))
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--epochs", type=int, help="cap on epochs (default: each setting's own)")
    parser.add_argument("--out", type=Path, default=RESULTS / "search_gnn")
    args = parser.parse_args()
    architectures = [a.strip() for a in args.architectures.split(",") if a.strip()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.root
        title = f"`{root}`"
        if root is None:
            root = Path(tmp) / "out"
            graphgen = str(Path(sys.executable).parent / "graphgen")
            subprocess.run([graphgen, "build", "--preset", args.preset, "--difficulty", args.difficulty, "--out", str(root), "-q"],
                           check=True)
            title = f"`{args.preset}` preset, difficulty `{args.difficulty}`"
        results = search(root, architectures, GRIDS[args.grid], args.seeds, args.epochs)
    results.update(date=dt.date.today().isoformat(), machine=machine(), minutes=round((time.perf_counter() - started) / 60, 1))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "search.json").write_text(json.dumps(results, indent=2) + "\n")
    text = markdown(results, title) + f"\nMeasured {results['date']} on {results['machine']}: {results['minutes']} min.\n"
    (args.out / "search.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
