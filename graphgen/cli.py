"""The ``graphgen`` command line.

Bad input of any kind (config values, unknown options, paths, server settings) ends with one line on
stderr and exit code 2, and nothing written. Progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

import typer
from typer.exceptions import TyperException
from rich.table import Table

from graphgen.config import config_json_schema, load_preset, preset_descriptions, resolve_config
from graphgen.errors import UsageError
from graphgen.exporters import exporters, load_exporter
from graphgen.output import OutputFolder
from graphgen.pipeline import STAGES, generate
from graphgen.schema import all_specs
from graphgen.summary import Summary
from graphgen.terminal import NO_VERIFY_HELP, err_console, out_console, progress_bar
from graphgen.writers import staged_folder, write_graph
from gnn.export import SPLIT_HELP, checked_split

app = typer.Typer(
    name="graphgen",
    help="Generate labelled synthetic fraud networks; export them to Neo4j and ML training sets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: rich's tables show a metavar such as <bool> beside every flag
)
export_app = typer.Typer(help="Export a built graph for other tools.", no_args_is_help=True)
load_app = typer.Typer(help="Load a built graph into a running server.", no_args_is_help=True)
neo4j_app = typer.Typer(help="Run Neo4j locally with a built graph.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(load_app, name="load")
app.add_typer(neo4j_app, name="neo4j")

for _name, _entry in exporters().items():  # graphgen export FORMAT: one command per registered exporter
    export_app.command(_name)(load_exporter(_entry))


def _keep_freed_memory() -> None:
    """Ask glibc to reuse freed memory instead of returning big blocks to the OS after each array.

    The build allocates and frees many arrays of hundreds of MB; fresh pages cost a fault each (a
    large share of the run time in a VM). Peak RSS grows a little; without glibc this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_top_pad, m_mmap_max, m_arena_max = -1, -2, -4, -8
    libc.mallopt(m_arena_max, 1)  # one arena: memory freed by one worker thread is reused by the other
    libc.mallopt(m_mmap_max, 0)
    libc.mallopt(m_trim_threshold, 2**31 - 1)
    libc.mallopt(m_top_pad, 256 << 20)


@app.command()
def build(
    preset: Optional[str] = typer.Option(None, "--preset", "-p", help="Preset to start from (see `graphgen presets`); default: default."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML file with config keys on top of the preset."),
    users: Optional[int] = typer.Option(None, "--users", "-n", help="Number of users in the population."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", help="Random seed; the same config and seed give byte-identical files."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing non-empty output folder."),
    difficulty: Optional[str] = typer.Option(None, "--difficulty", "-d", help="easy, medium or hard: how well rings hide."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars and no summary."),
) -> None:
    """Generate a graph and write it as Parquet files with a manifest."""

    cfg = resolve_config(preset, config, {"users": users, "seed": seed, "difficulty": difficulty})
    _keep_freed_memory()
    with staged_folder(out, overwrite) as staging, progress_bar(quiet) as progress:
        tasks = {name: progress.add_task(name, total=1, start=False) for name, _ in STAGES}
        write_task = progress.add_task("write", total=len(all_specs()), start=False)
        names = [name for name, _ in STAGES]
        progress.start_task(tasks[names[0]])

        def stage_done(name: str, seconds: float) -> None:
            progress.update(tasks[name], completed=1)
            following = names.index(name) + 1
            progress.start_task(tasks[names[following]] if following < len(names) else write_task)

        graph = generate(cfg, on_stage=stage_done)
        manifest = write_graph(graph, staging, on_file=lambda _: progress.advance(write_task))
    if not quiet:
        rows = {path: meta["rows"] for path, meta in manifest["files"].items()}
        for table in Summary.of_labels(rows, graph.labels, graph.stage_seconds).tables():
            out_console.print(table)
        out_console.print(f"wrote {out}/ (manifest.json last)")


@app.command()
def stats(
    out: Path = typer.Argument(..., metavar="OUT", help="An output folder written by `graphgen build`."),
    no_verify: bool = typer.Option(False, "--no-verify", help=NO_VERIFY_HELP),
) -> None:
    """Print the build summary of an existing output folder."""
    for table in Summary.of_output(out, verify=not no_verify).tables():
        out_console.print(table)


@app.command()
def presets() -> None:
    """List the shipped presets."""

    table = Table(title="Presets", title_justify="left")
    for name in ("preset", "users", "description"):
        table.add_column(name)
    for name, description in preset_descriptions().items():
        table.add_row(name, f"{load_preset(name).get('users', 100_000):,}", description)
    out_console.print(table)


@app.command()
def schema(out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the JSON schema here instead of stdout.")) -> None:
    """Export the JSON schema of the configuration (for editors and validation)."""

    text = json.dumps(config_json_schema(), indent=2)
    if out is None:
        out_console.print_json(text)
        return
    try:
        out.write_text(text + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    out_console.print(f"wrote the config's JSON schema to {out}")


@app.command()
def guide(port: int = typer.Option(8001, "--port", help="Local port to serve the guide on.")) -> None:
    """Serve the walk-through (cypher/guide.md) as a Neo4j Browser guide until Ctrl-C: run the printed
    `:guide` command in Browser; every query is a click away."""
    from loaders.guide import guide_url, serve_guide

    try:
        server = serve_guide(port)
    except OSError as exc:
        raise UsageError(f"cannot serve the guide on port {port}: {exc.strerror or exc}") from None
    out_console.print(f"In Neo4j Browser, run:  :guide {guide_url(server)}   (Ctrl-C stops serving)")
    try:
        threading.Event().wait()
    finally:
        server.shutdown()


def _neo4j_password(user: str) -> str:
    """From NEO4J_PASSWORD, else asked for on the terminal; never printed."""
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise UsageError("set NEO4J_PASSWORD (no terminal to ask for the password)")
        password = typer.prompt(f"Neo4j password for {user}", hide_input=True)
    return password


@neo4j_app.command("serve")
def neo4j_serve(
    out: Path = typer.Argument(..., metavar="OUT", help="An output folder written by `graphgen build`."),
    home: Optional[Path] = typer.Option(None, "--home", help="The server's DBMS folder [default: OUT/neo4j-server]."),
    bolt_port: int = typer.Option(7687, "--bolt-port", help="Bolt port on 127.0.0.1."),
    http_port: int = typer.Option(7474, "--http-port", help="HTTP port on 127.0.0.1 (Neo4j Browser at /browser/)."),
    heap: str = typer.Option("2g", "--heap", help="JVM heap of the server and of neo4j-admin."),
    payments: str = typer.Option("nodes", "--payments",
                                 help="nodes: one :Transaction per payment; aggregated: only TRANSFERS_TO (a fraction of the size)."),
    recent: int = typer.Option(0, "--recent-payments", metavar="N",
                               help="With --payments aggregated: also the last N payments of each pair as :Transaction nodes."),
    no_verify: bool = typer.Option(False, "--no-verify", help=NO_VERIFY_HELP),
) -> None:
    """Run a local Neo4j 5.26 with Browser holding OUT's graph, until Ctrl-C (JDK 17 and Maven; no Docker).

    The first start imports OUT with neo4j-admin into the server's folder; later starts reuse it. User neo4j,
    password from NEO4J_PASSWORD (or asked for)."""
    from loaders.model import checked_payments
    from loaders.serve import serve

    checked_payments(payments, recent)
    OutputFolder(out)  # one clear line when OUT is not a complete build, before asking for anything
    password = _neo4j_password("neo4j")
    server = serve(out, password, home, bolt_port, http_port, heap, payments, recent, verify=not no_verify,
                   on_step=lambda step: err_console.print(f"[dim]{step} ...[/dim]"))
    try:
        out_console.print(f"Neo4j Browser: {server.browser_url}  (user neo4j, password from NEO4J_PASSWORD)\n"
                          f"Bolt: {server.uri}   Ctrl-C stops the server; `graphgen guide` walks through the queries.")
        threading.Event().wait()
    except Interrupted:
        err_console.print("stopping Neo4j ...")
    finally:
        server.stop()


@load_app.command("neo4j")
def load_neo4j(
    out: Path = typer.Argument(..., metavar="OUT", help="An output folder written by `graphgen build`."),
    uri: str = typer.Option("bolt://localhost:7687", "--uri", help="Bolt URI of the server."),
    user: str = typer.Option("neo4j", "--user", help="User name; the password comes from NEO4J_PASSWORD or a prompt."),
    database: str = typer.Option("neo4j", "--database", help="Database to load into."),
    batch_size: int = typer.Option(10_000, "--batch-size", help="Rows per write transaction."),
    workers: int = typer.Option(2, "--workers", help="Write transactions at once (the server runs each in its own thread)."),
    payments: str = typer.Option("nodes", "--payments",
                                 help="nodes: one :Transaction per payment; aggregated: only TRANSFERS_TO (a fraction of the size)."),
    recent: int = typer.Option(0, "--recent-payments", metavar="N",
                               help="With --payments aggregated: also the last N payments of each pair as :Transaction nodes."),
    wipe: bool = typer.Option(False, "--wipe", help="Delete everything in the database first."),
    force_unlock: bool = typer.Option(False, "--force-unlock", help="Break the lock a killed load left behind."),
    no_verify: bool = typer.Option(False, "--no-verify", help=NO_VERIFY_HELP),
) -> None:
    """Load a built graph into a running Neo4j over Bolt (idempotent: loading again changes nothing)."""
    from loaders.model import checked_payments
    from loaders.online import load  # the driver: imported when the command runs

    checked_payments(payments, recent)
    OutputFolder(out)  # one clear line when OUT is not a complete build, before asking for anything
    password = _neo4j_password(user)
    with progress_bar() as progress:
        tasks: dict[str, int] = {}

        def start(sizes: dict[str, int]) -> None:
            for name, rows in sizes.items():
                tasks[name] = progress.add_task(name, total=rows)

        report = load(out, uri, user, password, database, batch_size, wipe,
                      on_rows=lambda name, n: progress.advance(tasks[name], n), on_start=start,
                      force_unlock=force_unlock, verify=not no_verify, workers=workers, payments=payments, recent=recent)
    table = Table(title=f"Loaded into {database} on {uri} ({report.mode})", title_justify="left")
    for name in ("nodes / relationships", "count"):
        table.add_column(name, justify="right" if name == "count" else "left")
    for name, n in {**report.nodes, **report.relationships}.items():
        table.add_row(name, f"{n:,}")
    out_console.print(table)
    out_console.print(f"{report.seconds:.1f} s in all; relationships {report.relationship_mode}d at "
                      f"{report.relationships_per_second:,.0f}/s; query indexes built in {report.index_seconds:.1f} s")


@app.command()
def bench(
    out: Path = typer.Argument(..., metavar="OUT", help="An output folder written by `graphgen build`."),
    models: str = typer.Option("all", "--models",
                               help="Comma-separated registered models, or all of them; `--models list` shows them."),
    seeds: int = typer.Option(3, "--seeds", help="Seeds (each draws its own split and initialisation)."),
    split: str = typer.Option("temporal", "--split", help=SPLIT_HELP),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="Caps the epochs a GNN trains for (default: its own "
                                         "setting; it early-stops on validation)."),
    report: Optional[Path] = typer.Option(None, "--out", "-o", help="Report folder; default: OUT/bench."),
) -> None:
    """Benchmark GNNs against XGBoost: results.json, report.md and PNG plots."""
    from gnn.bench import FEW_POSITIVES, run_bench, write_report
    from gnn.models import MODELS, UNAVAILABLE, description

    if models.strip() == "list":
        table = Table(title="Bench models", title_justify="left")
        table.add_column("model")
        table.add_column("what it is")
        for name in MODELS.names():
            table.add_row(name, description(name))
        for module, why in UNAVAILABLE.items():
            table.add_row(module, f"unavailable: {why}")
        out_console.print(table)
        return
    chosen = MODELS.names() if models.strip() == "all" else [m.strip() for m in models.split(",") if m.strip()]
    if not chosen:
        raise UsageError(f"no model given; choose from: {', '.join(MODELS.names())}")
    for name in chosen:
        if name in UNAVAILABLE:
            raise UsageError(f"model {name} {UNAVAILABLE[name]}")
        MODELS.get(name)  # one clear line for an unknown name
    if seeds < 1 or (epochs is not None and epochs < 1):
        raise UsageError("--seeds and --epochs must be at least 1")
    checked_split(split)
    OutputFolder(out)  # one clear line when OUT is not a complete build
    with progress_bar() as progress:
        task = progress.add_task("bench", total=len(chosen) * seeds)
        results = run_bench(out, chosen, seeds, split, epochs,
                            on_step=lambda what: progress.update(task, advance=1, description=what))
    path = write_report(results, report or out / "bench")
    table = Table(title=f"GNN vs XGBoost ({seeds} seed(s), split {split}): test metrics, mean ± std", title_justify="left")
    for name in ("model", "AUPRC", "AUROC", "Rec@K", "F1", "seconds"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for name in sorted(chosen, key=lambda m: -results["summary"][m]["auprc"]["mean"]):
        s = results["summary"][name]
        table.add_row(name, *(f"{s[m]['mean']:.3f}±{s[m]['std']:.3f}" for m in ("auprc", "auroc", "rec_at_k", "f1")),
                      f"{s['seconds']['mean']:.1f}")
    out_console.print(table)
    positives = results["splits"]["test"]["positives"]
    if positives < FEW_POSITIVES:
        out_console.print(f"note: the test split has only {positives} positives (< {FEW_POSITIVES}): the ranking is "
                          "uncertain; see the intervals in the report")
    out_console.print(f"report: {path}")


@app.command()
def audit(
    out: Path = typer.Argument(..., metavar="OUT", help="An output folder written by `graphgen build`."),
    threshold: float = typer.Option(0.85, "--threshold", help="Flag columns whose AUROC alone exceeds this."),
    strict: bool = typer.Option(False, "--strict", help="Exit with code 1 when anything is flagged."),
) -> None:
    """Leakage audit: a small model on each single column (features, ids, row order) of the tabular set, and
    the best single-threshold rule on each structural signal of each ring typology."""
    from gnn.audit import audit as run_audit
    from gnn.audit import is_id, structural_audit

    OutputFolder(out)  # one clear line when OUT is not a complete build
    results = run_audit(out)
    flagged = [r for r in results if r.worst > threshold]
    table = Table(title=f"Single-column AUROC (flag above {threshold})", title_justify="left")
    for name in ("column", "kind", "train", "val", "test", "flag"):
        table.add_column(name, justify="right" if name in ("train", "val", "test") else "left")
    for r in results[:15] + [r for r in flagged if r not in results[:15]]:
        kind = "id/order" if is_id(r.column) else "feature"
        table.add_row(r.column, kind, *(f"{r.auroc[s]:.3f}" if s in r.auroc else "-" for s in ("train", "val", "test")),
                      "LEAK?" if r in flagged else "")
    out_console.print(table)
    out_console.print(f"{len(results)} columns audited; {len(flagged)} flagged")
    signals = structural_audit(out)
    table = Table(title="Structural signals: the best single threshold on each (whole horizon)", title_justify="left")
    for name in ("typology", "best rule", "recall", "precision", "F1", "rings / candidates"):
        table.add_column(name, justify="right" if name in ("recall", "precision", "F1") else "left", no_wrap=True)
    for s in signals:
        table.add_row(s.typology, s.rule, f"{s.recall:.2f}", f"{s.precision:.2f}", f"{s.f1:.2f}", f"{s.ring_objects} / {s.objects}")
    out_console.print(table)
    if flagged and strict:
        raise typer.Exit(1)


class Interrupted(BaseException):
    """SIGINT or SIGTERM. Not a KeyboardInterrupt, which click would swallow with a blank line; a
    BaseException, so that every cleanup on the way out (staging folders, the load lock) still runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.exit_code = 128 + signum


_received: list[int] = []  # signals received, so that an error raised while unwinding still reads "interrupted"


def _raise_interrupted(signum: int, _frame) -> None:
    _received.append(signum)
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning every input error into one stderr line and exit code 2."""
    command = typer.main.get_command(app)
    _received.clear()
    in_main_thread = threading.current_thread() is threading.main_thread()  # only it may set signal handlers
    previous = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGINT, signal.SIGTERM)} if in_main_thread else {}
    try:
        code = command.main(args=argv, prog_name="graphgen", standalone_mode=False)
    except TyperException as exc:  # unknown options, malformed values: typer's own usage errors
        _fail(exc.format_message())
    except Interrupted as exc:
        _fail("interrupted", code=exc.exit_code)
    except Exception as exc:
        if _received:  # cleanup after the signal failed too (a connection cut mid-commit, say): still the signal
            _fail("interrupted", code=128 + _received[0])
        if isinstance(exc, UsageError):
            _fail(str(exc))
        raise
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", code=130)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int = 2) -> None:
    sys.stderr.write(f"graphgen: error: {' '.join(message.split())}\n")
    sys.exit(code)


if __name__ == "__main__":
    main()
