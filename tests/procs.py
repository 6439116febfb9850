"""Real server processes on 127.0.0.1 for tests: start, wait until ready, log in over HTTP, stop; and a TCP proxy
in front of one that a test can cut and restore."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``run.py`` in its own process with the given environment (SEARCH_COORD_* settings)."""

    def __init__(self, tmp: Path, env: dict[str, str] | None = None, demo: bool = False, name: str = "server"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"{name}-{self.port}.log"
        full_env = {**os.environ, "SEARCH_COORD_INSTANCE_PATH": str(tmp / "instance"), "SEARCH_COORD_TILE_URL": "",
                    "SEARCH_COORD_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SEARCH_COORD_SECRET_KEY": "test-key",
                    "PYTHONUNBUFFERED": "1", **(env or {})}
        args = [sys.executable, str(ROOT / "run.py"), "--port", str(self.port)] + (["--demo"] if demo else [])
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, cwd=ROOT, env=full_env, stdout=self._log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/api/v1/session", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log_path.read_text()}")

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def login(self, username: str, password: str) -> "HttpUser":
        return HttpUser(self.url, username, password)


class HttpUser:
    """A logged-in requests session that sends the CSRF token and a device id."""

    def __init__(self, url: str, username: str, password: str):
        self.url = url
        self.http = requests.Session()
        token = self.http.get(url + "/api/v1/session", timeout=5).json()["csrf_token"]
        r = self.http.post(url + "/api/v1/session", json={"username": username, "password": password},
                           headers={"X-CSRF-Token": token}, timeout=5)
        r.raise_for_status()
        self.user = r.json()["user"]
        self.token = r.json()["csrf_token"]

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def call(self, method: str, path: str, json=None, base: str | None = None):
        return self.http.request(method, (base or self.url) + path, json=json, timeout=10,
                                 headers={"X-CSRF-Token": self.token, "X-Device-Id": "proc-test"})


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the server; ``cut()`` drops every connection and refuses new ones."""

    def __init__(self, target_port: int):
        self.port = free_port()
        self.target = target_port
        self.up = True
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.close()
            except OSError:
                pass

    def cut(self):
        self.up = False
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.conns.clear()

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()
