"""A real Neo4j 5.26 Community server for the tests, built from Maven Central with JDK 17 and Maven.

``tests/neo4j/`` holds a pom.xml and a short Java main that starts Neo4j embedded with Bolt on a free
local port (``serve``) or runs the real ``neo4j-admin`` (``admin``). The jar and its dependencies are
built once and reused while the sources are unchanged.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

HARNESS = Path(__file__).parent / "neo4j"
TARGET = HARNESS / "target"
JAR = TARGET / "graphgen-neo4j-testserver-1.0.jar"
MAIN = "graphgen.testserver.Main"


def unavailable() -> str | None:
    """Why the server cannot be built here, or None."""
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            return f"{tool} not found (the Neo4j tests need JDK 17 and Maven)"
    return None


def build() -> None:
    sources = [HARNESS / "pom.xml", *HARNESS.glob("src/**/*.java")]
    if JAR.exists() and (TARGET / "lib").is_dir() and JAR.stat().st_mtime >= max(s.stat().st_mtime for s in sources):
        return
    subprocess.run(["mvn", "-q", "-B", "-f", str(HARNESS / "pom.xml"), "package", "-DskipTests"], check=True, timeout=1800)


def _java(heap: str, *args: str) -> list[str]:
    return ["java", f"-Xmx{heap}", "-XX:+UseParallelGC", "-cp", f"{JAR}{os.pathsep}{TARGET / 'lib'}/*", MAIN, *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Neo4jServer:
    """One embedded DBMS in ``home``; stops when :meth:`stop` closes its stdin (or this process dies)."""

    def __init__(self, home: Path, password: str, heap: str = "2g", browser: bool = False):
        self.home, self.password, self.heap = Path(home), password, heap
        self.port = free_port()
        self.http_port = free_port() if browser else None  # serves Neo4j Browser at /browser/
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
        self._proc = subprocess.Popen(_java(self.heap, "serve", str(self.home), str(self.port), self.password, *extra),
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
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
