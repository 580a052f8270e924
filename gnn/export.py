"""``graphgen export tabular`` and ``graphgen export pyg``: leakage-free training sets (see :mod:`gnn.tabular`,
:mod:`gnn.pyg`). torch is imported only by the PyG exporter, when it runs."""

from __future__ import annotations

from pathlib import Path

import typer

from graphgen.errors import UsageError
from graphgen.output import OutputFolder
from graphgen.terminal import NO_VERIFY_HELP, out_console, progress_bar
from gnn.splits import KINDS

SPLIT_HELP = "temporal (users drawn independently) or ring (whole rings on one side)."


def checked_split(split: str) -> str:
    if split not in KINDS:
        raise UsageError(f"unknown split {split!r}; choose one of: {', '.join(KINDS)}")
    return split


def tabular(
    out: Path = typer.Argument(..., metavar="OUT", help="An output folder written by `graphgen build`."),
    split: str = typer.Option("temporal", "--split", help=SPLIT_HELP),
    seed: int = typer.Option(0, "--seed", help="Seed of the split assignment."),
    no_verify: bool = typer.Option(False, "--no-verify", help=NO_VERIFY_HELP),
) -> None:
    """Write OUT/tabular/: point-in-time user and transaction features per split (Parquet)."""
    from gnn.tabular import STEPS, write_tabular

    OutputFolder(out)  # one clear line when OUT is not a complete build, before any progress shows
    with progress_bar() as progress:
        task = progress.add_task("tabular", total=len(STEPS))
        folder = write_tabular(out, checked_split(split), seed, verify=not no_verify,
                               on_step=lambda step: progress.update(task, advance=1, description=step))
    out_console.print(f"wrote {folder}/ (features listed in features.json)")


def pyg(
    out: Path = typer.Argument(..., metavar="OUT", help="An output folder written by `graphgen build`."),
    split: str = typer.Option("temporal", "--split", help=SPLIT_HELP),
    seed: int = typer.Option(0, "--seed", help="Seed of the split assignment."),
    no_verify: bool = typer.Option(False, "--no-verify", help=NO_VERIFY_HELP),
) -> None:
    """Write OUT/pyg/dataset.pt: one HeteroData per split (load with gnn.load_dataset)."""
    try:
        from gnn.pyg import STEPS, write_pyg
    except ModuleNotFoundError as exc:
        raise UsageError(f"the PyG export needs {exc.name}: pip install 'graphgen[gnn]'") from None

    OutputFolder(out)
    with progress_bar() as progress:
        task = progress.add_task("pyg", total=len(STEPS))
        path = write_pyg(out, checked_split(split), seed, verify=not no_verify,
                         on_step=lambda step: progress.update(task, advance=1, description=step))
    out_console.print(f"wrote {path} (torch.load(..., weights_only=True) works; gnn.load_dataset rebuilds it)")
