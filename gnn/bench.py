"""``graphgen bench``: GNNs against XGBoost on the same leakage-free splits, over several seeds.

Models are registered in :mod:`gnn.models` (one module each; ``graphgen bench --models`` lists them). Each
seed draws its own split assignment and model initialisation.

Metrics on the test split, AUPRC first: AUPRC, AUROC, Rec@K (K = the number of positives in test), F1 at the
threshold that maximises F1 on validation, recall per ring typology among the top K, and wall time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, roc_auc_score

from threadpoolctl import threadpool_limits

from graphgen.output import read_graph
from graphgen.rings import typology_names
from gnn.features import GraphArrays
from gnn.benchrun import CORES
from gnn.models import MODELS, BenchRun, Scores
from gnn.tabular import TrainingSet, build_training_set

METRICS = ("auprc", "auroc", "rec_at_k", "f1", "seconds")
BOOTSTRAP = 200  # resamples of the test users for confidence intervals
FEW_POSITIVES = 50  # below this many test positives, figures are flagged as too uncertain to rank models


def bootstrap_interval(n: int, stat: Callable[[np.ndarray], float], rng: np.random.Generator) -> list[float]:
    """95% interval of ``stat(rows)`` over resamples of ``n`` rows (with replacement)."""
    stats = [stat(rng.integers(0, n, n)) for _ in range(BOOTSTRAP)]
    return [float(np.nanpercentile(stats, 2.5)), float(np.nanpercentile(stats, 97.5))]


def evaluate(scores: Scores, training: TrainingSet, seed: int = 0) -> dict:
    val, test = training.splits["val"], training.splits["test"]
    y = test.label.astype(int)
    k = int(y.sum())
    top = np.argsort(-scores.test, kind="stable")[:k]
    in_top = np.zeros(len(y), bool)
    in_top[top] = True
    rng = np.random.default_rng(seed)

    def auprc(index: np.ndarray) -> float:
        return float(average_precision_score(y[index], scores.test[index])) if y[index].any() else np.nan

    def typology_ci(t: str) -> list[float] | None:
        mine = np.flatnonzero(test.typology == t)
        if not len(mine):
            return None
        return bootstrap_interval(len(mine), lambda index: float(in_top[mine[index]].mean()), rng)

    precision, recall, thresholds = precision_recall_curve(val.label, scores.val)
    f1_val = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    threshold = thresholds[int(np.argmax(f1_val[:-1]))] if len(thresholds) else 0.5
    return {
        "auprc": float(average_precision_score(y, scores.test)),
        "auroc": float(roc_auc_score(y, scores.test)),
        "rec_at_k": float(in_top[y == 1].mean()) if k else 0.0,
        "f1": float(f1_score(y, scores.test >= threshold)),
        "recall_by_typology": {t: float(in_top[test.typology == t].mean()) if (test.typology == t).any() else None
                               for t in typology_names()},
        "auprc_ci": bootstrap_interval(len(y), auprc, rng),
        "recall_by_typology_ci": {t: typology_ci(t) for t in typology_names()},
        "positives_by_typology": {t: int((test.typology == t).sum()) for t in typology_names()},
    }


def run_bench(root: str | Path, models: list[str], seeds: int, split: str = "temporal", epochs: int | None = None,
              on_step: Callable[[str], None] | None = None) -> dict:
    """Run every model for every seed; returns the results (see :func:`write_report`)."""
    with threadpool_limits(limits=CORES):  # BLAS inside numpy and scikit-learn: one thread per core we may use
        return _run_bench(root, models, seeds, split, epochs, on_step)


def _run_bench(root: str | Path, models: list[str], seeds: int, split: str, epochs: int | None,
               on_step: Callable[[str], None] | None) -> dict:
    graph = read_graph(root)
    arrays = GraphArrays(graph)
    cache: dict[int, dict[str, np.ndarray]] = {}
    structures: dict = {}
    chosen = {name: MODELS[name] for name in models}
    runs, curves, reported = [], {}, None
    for seed in range(seeds):
        training = build_training_set(graph, split, seed, arrays, cache)
        reported = reported or training.splits  # split sizes are reported for seed 0
        run = BenchRun(graph, arrays, training, seed, epochs, cache, structures)
        for name, model in chosen.items():
            started = time.perf_counter()
            scores = model(run)
            seconds = time.perf_counter() - started + scores.reused_seconds
            metrics = evaluate(scores, training, seed)
            runs.append({"model": name, "seed": seed, **metrics, "seconds": seconds})
            if seed == 0:
                precision, recall, _ = precision_recall_curve(training.splits["test"].label, scores.test)
                keep = np.unique(np.linspace(0, len(precision) - 1, 400).astype(int))  # enough points for a plot
                curves[name] = {"precision": precision[keep].round(4).tolist(), "recall": recall[keep].round(4).tolist()}
            if on_step is not None:
                on_step(f"{name} seed {seed}")
    return {
        "dataset": str(Path(root).resolve()), "split": split, "seeds": seeds, "models": models, "epochs": epochs,
        "config": graph.config.model_dump(mode="json"),
        "splits": {k: {"cutoff": s.cutoff, "users": int(len(s.users)), "positives": int(s.label.sum()),
                       "true_fraud": int(s.is_fraud.sum())} for k, s in reported.items()},
        "runs": runs, "summary": summarize(runs, models), "curves": curves,
    }


def summarize(runs: list[dict], models: list[str]) -> dict:
    summary = {}
    for name in models:
        mine = [r for r in runs if r["model"] == name]
        summary[name] = {m: {"mean": float(np.mean([r[m] for r in mine])), "std": float(np.std([r[m] for r in mine]))}
                         for m in METRICS}
        summary[name]["recall_by_typology"] = {
            t: float(np.mean([r["recall_by_typology"][t] for r in mine if r["recall_by_typology"][t] is not None]))
            for t in typology_names() if any(r["recall_by_typology"][t] is not None for r in mine)}
        # Intervals: bootstrap over test users within each seed, averaged over seeds.
        summary[name]["auprc_ci"] = np.mean([r["auprc_ci"] for r in mine], axis=0).tolist()
        summary[name]["recall_by_typology_ci"] = {
            t: np.mean([r["recall_by_typology_ci"][t] for r in mine if r["recall_by_typology_ci"][t]], axis=0).tolist()
            for t in summary[name]["recall_by_typology"]}
        summary[name]["positives_by_typology"] = {t: int(np.mean([r["positives_by_typology"][t] for r in mine]))
                                                  for t in summary[name]["recall_by_typology"]}
    return summary


PROTOCOL = """Users are split by time: each is observed at one cutoff (60% of the horizon for training, 80% for
validation, the snapshot for test), drawn 60/20/20 among the cutoffs at which they already exist{ring}. Features
and graphs hold only what happened before the cutoff (inductive: a GNN trains on the graph as of the training
cutoff and is scored on the graph as of the test cutoff). Labels respect label delay: fraud not confirmed by
a cutoff is a negative for training and validation, as in reality; test uses the true labels. Each seed draws
its own split and model initialisation; figures are mean ± std over {seeds} seed(s)."""


def _fmt(stat: dict, digits: int = 3) -> str:
    return f"{stat['mean']:.{digits}f} ± {stat['std']:.{digits}f}"


def markdown(results: dict) -> str:
    splits = results["splits"]
    test = splits["test"]
    lines = [
        "# graphgen bench", "",
        f"Dataset `{results['dataset']}` ({results['config']['users']:,} users, difficulty "
        f"`{results['config']['difficulty']}`), split `{results['split']}`.", "",
        PROTOCOL.format(ring=", whole rings at a time" if results["split"] == "ring" else "", seeds=results["seeds"]),
        "",
        "| split | users | positives (as labelled) | true fraud |", "|---|---|---|---|",
        *[f"| {k} | {v['users']:,} | {v['positives']:,} | {v['true_fraud']:,} |" for k, v in splits.items()],
        "",
        f"Random scoring would reach AUPRC {test['positives'] / max(test['users'], 1):.4f} (the test positive rate).",
        "",
        *([f"**Too few positives to rank models:** the test split holds {test['positives']} positives (fewer than "
           f"{FEW_POSITIVES}); the intervals below show how far each figure could move. Use a larger preset "
           "(`default`, `fraud_heavy`) or more seeds before drawing conclusions.", ""]
          if test["positives"] < FEW_POSITIVES else []),
        "AUPRC: mean ± std over seeds, then the 95% bootstrap interval over test users (averaged over seeds).", "",
        "| model | AUPRC | 95% interval | AUROC | Rec@K | F1 (val threshold) | seconds |", "|---|---|---|---|---|---|---|",
    ]
    ranked = sorted(results["models"], key=lambda m: -results["summary"][m]["auprc"]["mean"])
    for name in ranked:
        s = results["summary"][name]
        auprc = f"**{_fmt(s['auprc'])}**" if name == ranked[0] else _fmt(s["auprc"])
        low, high = s["auprc_ci"]
        lines.append(f"| {name} | {auprc} | {low:.3f} to {high:.3f} | {_fmt(s['auroc'])} | {_fmt(s['rec_at_k'])} "
                     f"| {_fmt(s['f1'])} | {_fmt(s['seconds'], 1)} |")
    typologies = sorted({t for s in results["summary"].values() for t in s["recall_by_typology"]})
    counts = results["summary"][ranked[0]]["positives_by_typology"]
    lines += ["", "Recall among the top K, per ring typology (mean over seeds; 95% bootstrap interval; test positives):", "",
              "| model | " + " | ".join(f"{t} (n={counts.get(t, 0)})" for t in typologies) + " |",
              "|---|" + "---|" * len(typologies)]
    for name in ranked:
        r, ci = results["summary"][name]["recall_by_typology"], results["summary"][name]["recall_by_typology_ci"]
        cells = [f"{r[t]:.2f} [{ci[t][0]:.2f}, {ci[t][1]:.2f}]" if t in r else "-" for t in typologies]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "![precision-recall](pr_curves.png)", "", "![recall by typology](recall_by_typology.png)", ""]
    return "\n".join(lines)


def plots(results: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for name, curve in results["curves"].items():
        ax.plot(curve["recall"], curve["precision"], label=f"{name} (AUPRC {results['summary'][name]['auprc']['mean']:.2f})")
    test = results["splits"]["test"]
    ax.axhline(test["positives"] / max(test["users"], 1), color="grey", linestyle=":", label="random")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall on the test split (seed 0)", xlim=(0, 1), ylim=(0, 1.02))
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "pr_curves.png", dpi=120)
    plt.close(fig)

    typologies = sorted({t for s in results["summary"].values() for t in s["recall_by_typology"]})
    models = results["models"]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    width = 0.8 / max(len(models), 1)
    for i, name in enumerate(models):
        summary = results["summary"][name]
        values = np.array([summary["recall_by_typology"].get(t, 0.0) for t in typologies])
        ci = np.array([summary["recall_by_typology_ci"].get(t) or [v, v] for t, v in zip(typologies, values)])
        errors = np.vstack([values - ci[:, 0], ci[:, 1] - values]).clip(min=0)
        ax.bar(np.arange(len(typologies)) + i * width, values, width, yerr=errors, capsize=2, label=name)
    counts = results["summary"][models[0]]["positives_by_typology"]
    ax.set_xticks(np.arange(len(typologies)) + width * (len(models) - 1) / 2,
                  [f"{t}\n(n={counts.get(t, 0)} in test)" for t in typologies])
    ax.set(ylabel="recall among the top K", ylim=(0, 1),
           title="Recall per ring typology (mean over seeds, 95% bootstrap interval)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "recall_by_typology.png", dpi=120)
    plt.close(fig)


def write_report(results: dict, out: str | Path) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    plots(results, out)
    (out / "report.md").write_text(markdown(results))
    return out / "report.md"
