"""A real Neo4j 5.26 Community server and neo4j-admin, built from Maven Central with JDK 17 and Maven.

``loaders/neo4j_java/`` holds a pom.xml and a short Java main that starts Neo4j embedded with Bolt on a local
port, optionally with Neo4j Browser (``serve``), or runs the real ``neo4j-admin`` (``admin``). The jar and its
dependencies are built once per version of those sources into graphgen's cache folder (``GRAPHGEN_CACHE_DIR``,
else ``$XDG_CACHE_HOME/graphgen`` or ``~/.cache/graphgen``) and reused. ``graphgen neo4j serve`` and the tests
both run it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

SOURCES = Path(__file__).parent / "neo4j_java"
JAR_NAME = "graphgen-neo4j-server-1.0.jar"
MAIN = "graphgen.server.Main"


def unavailable() -> str | None:
    """Why the server cannot be built here, or None."""
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            return f"{tool} not found (the Neo4j server needs JDK 17 and Maven)"
    return None


def _source_files() -> list[Path]:
    return sorted([SOURCES / "pom.xml", *SOURCES.glob("src/**/*.java")])


def build_dir() -> Path:
    """Where the server built from these sources lives (named by their hash, so an edit builds anew)."""
    digest = hashlib.sha256()
    for path in _source_files():
        digest.update(path.relative_to(SOURCES).as_posix().encode() + b"\0" + path.read_bytes())
    cache = os.environ.get("GRAPHGEN_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "graphgen"
    return Path(cache) / f"neo4j-server-{digest.hexdigest()[:12]}"


def build() -> Path:
    """Build the server with Maven unless this version is built already; returns its folder."""
    done = build_dir()
    if (done / "target" / JAR_NAME).is_file() and (done / "target" / "lib").is_dir():
        return done
    done.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=done.parent, prefix=".building-") as tmp:
        work = Path(tmp) / "server"
        shutil.copytree(SOURCES, work, ignore=shutil.ignore_patterns("target"))
        subprocess.run(["mvn", "-q", "-B", "-f", str(work / "pom.xml"), "package", "-DskipTests"], check=True, timeout=1800)
        try:
            work.rename(done)  # complete or absent: a build killed half-way is never reused
        except OSError:
            if not (done / "target" / JAR_NAME).is_file():  # not another build that finished first
                raise
    return done


def _java(heap: str, *args: str) -> list[str]:
    target = build_dir() / "target"
    return ["java", f"-Xmx{heap}", "-XX:+UseParallelGC", "-cp", f"{target / JAR_NAME}{os.pathsep}{target / 'lib'}/*", MAIN, *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port: int) -> bool:
    """Whether something listens on ``port`` (connections closing down do not count, as for a server)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class Neo4jServer:
    """One embedded DBMS in ``home``; stops when :meth:`stop` closes its stdin (or this process dies)."""

    def __init__(self, home: Path, password: str, heap: str = "2g", browser: bool = False, port: int | None = None,
                 http_port: int | None = None):
        self.home, self.password, self.heap = Path(home), password, heap
        self.port = port or free_port()
        self.http_port = (http_port or free_port()) if browser else None  # serves Neo4j Browser at /browser/
        self.user = "neo4j"
        self._proc: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"

    def start(self, timeout: float = 240) -> Neo4jServer:
        self.home.mkdir(parents=True, exist_ok=True)
        log = (self.home / "server.log").open("w")
        extra = [str(self.http_port)] if self.http_port else []
        self._proc = subprocess.Popen(_java(self.heap, "serve", str(self.home), str(self.port), *extra),
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                                      env={**os.environ, "NEO4J_PASSWORD": self.password})
        ready = threading.Event()

        def watch() -> None:
            for line in self._proc.stdout:
                if line.strip() == "READY":
                    ready.set()

        threading.Thread(target=watch, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.5):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Neo4j did not start; see {self.home / 'server.log'} and {self.home / 'logs'}")
        return self

    def kill(self) -> None:
        """SIGKILL the server, as a crash would: no shutdown, no checkpoint."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def stop(self) -> None:
        if self._proc is None:
            return
        try:
            self._proc.stdin.close()
            self._proc.wait(timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            self._proc.kill()
            self._proc.wait()
        self._proc = None


def neo4j_admin(home: Path, args: list[str], cwd: Path, heap: str = "2g") -> subprocess.CompletedProcess:
    """Run the real ``neo4j-admin`` against the DBMS folder ``home``."""
    (home / "conf").mkdir(parents=True, exist_ok=True)
    (home / "conf" / "neo4j.conf").touch()
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    return subprocess.run(_java(heap, "admin", *args), cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
