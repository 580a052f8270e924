"""``graphgen neo4j serve OUT``: a local Neo4j with Browser and the graph of OUT loaded, without Docker.

The server is the one the tests run (:mod:`loaders.server`: Neo4j 5.26 Community from Maven Central, JDK 17
and Maven needed). The first start bulk-imports OUT's bundle with the real ``neo4j-admin`` into a DBMS folder
(``OUT/neo4j-server`` unless told otherwise) and records which dataset and payment model it holds; later
starts of the same folder reuse the database as it is (with whatever the user changed in it), and a different
dataset or payment model is imported anew over it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graphgen.errors import UsageError
from graphgen.output import OutputFolder
from loaders import server as neo4j
from loaders.bundle import import_arguments, write_bundle
from loaders.model import schema_statements

HOME_DIR = "neo4j-server"
DATASET_MARK = "graphgen-dataset.txt"  # written after a successful import: what the database holds


def _dataset(ds: OutputFolder, payments: str, recent: int) -> str:
    return f"{ds.fingerprint} payments={payments} recent={recent}\n"


def serve(out: Path, password: str, home: Path | None = None, port: int = 7687, http_port: int = 7474,
          heap: str = "2g", payments: str = "nodes", recent: int = 0, verify: bool = True,
          on_step: Callable[[str], None] = lambda _: None) -> neo4j.Neo4jServer:
    """Start a Neo4j with Browser holding OUT's graph; returns the running server (stop it when done).

    ``on_step`` receives a short line before each slow step (building the server, importing, starting).
    """
    if reason := neo4j.unavailable():
        raise UsageError(f"graphgen neo4j serve needs JDK 17 and Maven: {reason}; or use `docker compose up` (README)")
    for name, number in (("--bolt-port", port), ("--http-port", http_port)):
        if not 1 <= number <= 65535:
            raise UsageError(f"{name} must be a port number (1-65535), not {number}")
        if neo4j.port_in_use(number):
            raise UsageError(f"port {number} on 127.0.0.1 is in use (another Neo4j?); choose another with {name}")
    if port == http_port:
        raise UsageError("--bolt-port and --http-port must differ")
    ds = OutputFolder(out, verify)
    ds.verify()
    home = Path(home) if home is not None else ds.root / HOME_DIR
    mark = home / DATASET_MARK
    wanted = _dataset(ds, payments, recent)
    on_step("building the Neo4j server from Maven Central (first time only)")
    try:
        neo4j.build()
    except Exception as exc:  # Maven's own output says why; the user gets one line
        raise UsageError(f"building the Neo4j server with Maven failed ({exc}); run `mvn -v` to check Maven and JDK 17") from None
    if not (mark.is_file() and mark.read_text() == wanted):
        on_step(f"importing {out} into {home} with neo4j-admin")
        mark.unlink(missing_ok=True)
        bundle = write_bundle(ds.root, verify=False, payments=payments, recent=recent)  # verified above
        result = neo4j.neo4j_admin(home, import_arguments("neo4j", "parquet", False, payments, recent), cwd=bundle, heap=heap)
        if result.returncode != 0:
            last = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
            raise UsageError(f"neo4j-admin could not import {bundle}: {last}")
        mark.write_text(wanted)
    on_step("starting Neo4j")
    server = neo4j.Neo4jServer(home, password, heap=heap, browser=True, port=port, http_port=http_port)
    try:
        server.start()
    except RuntimeError as exc:
        raise UsageError(str(exc)) from None
    try:
        from neo4j import GraphDatabase

        with GraphDatabase.driver(server.uri, auth=(server.user, password), notifications_min_severity="OFF") as driver:
            for statement in schema_statements(payments, recent):
                driver.execute_query(statement)
    except BaseException:
        server.stop()
        raise
    return server
