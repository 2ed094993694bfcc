"""The processes a browser check needs: a Prefect server, the work pool and deployments, a process worker, and an
MLflow UI, each in its own process group under one temporary home, all stopped together (even on failure).

Usable without pytest: `python -m tests.e2e.stack HOME` starts the stack and waits (for looking at the UI by hand).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
POOL = "azr-local"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_chromium() -> str | None:
    """Debian's chromium (never a browser downloaded by `playwright install`)."""
    for name in (os.environ.get("AZR_E2E_CHROMIUM", ""), "chromium", "chromium-browser"):
        if name and (path := shutil.which(name)):
            return path
    return None


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def api(url: str, body: dict | None = None, timeout: float = 30.0):
    """JSON request to the Prefect API (POST when a body is given)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM to the process group (the worker's flow runs are in it), SIGKILL after `grace`; descendants
        that started their own session (sandbox workers) are collected first and killed by pid."""
        import psutil

        try:
            strays = psutil.Process(self.popen.pid).children(recursive=True)
        except psutil.Error:
            strays = []
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for p in strays:
            try:
                p.kill()
            except psutil.Error:
                pass
        try:
            self.popen.wait(5)
        except subprocess.TimeoutExpired:
            pass


@dataclass
class Stack:
    """Everything under `home`: prefect/ (PREFECT_HOME, its SQLite), azr-home/ (AZR_HOME), logs/."""

    home: Path
    procs: list[Proc] = field(default_factory=list)
    prefect_port: int = 0
    mlflow_port: int = 0

    def __post_init__(self) -> None:
        self.home = Path(self.home).resolve()
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        self.prefect_home = self.home / "prefect"
        self.azr_home = self.home / "azr-home"
        self.prefect_home.mkdir(exist_ok=True)
        self.azr_home.mkdir(exist_ok=True)

    # ------------------------------------------------------------------ environment
    @property
    def prefect_url(self) -> str:
        return f"http://127.0.0.1:{self.prefect_port}"

    @property
    def api_url(self) -> str:
        return self.prefect_url + "/api"

    @property
    def mlflow_url(self) -> str:
        return f"http://127.0.0.1:{self.mlflow_port}"

    @property
    def mlflow_uri(self) -> str:
        return f"sqlite:///{self.azr_home / 'mlflow.db'}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PREFECT_", "MLFLOW_", "AZR_"))}
        env.update({
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "VIRTUAL_ENV": str(VENV_BIN.parent),
            "PREFECT_HOME": str(self.prefect_home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_CLI_PROMPT": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "PREFECT_WORKER_PREFETCH_SECONDS": "5",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "MLFLOW_CONFIG_DIR": str(self.home / "mlflow-config"),
            "DO_NOT_TRACK": "1",
            "AZR_HOME": str(self.azr_home),
            # The converted model: reuse the machine's cache (the first conversion takes ~45 s).
            "AZR_CACHE": os.environ.get("AZR_E2E_CACHE") or str(Path("~/.cache/azr").expanduser()),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONUNBUFFERED": "1",
        })
        env.update(extra)
        return env

    # ------------------------------------------------------------------ processes
    def spawn(self, name: str, args: list[str], cwd: Path | None = None, **env: str) -> Proc:
        log = self.home / "logs" / f"{name}.log"
        fh = open(log, "ab")
        popen = subprocess.Popen(args, cwd=str(cwd or REPO), env=self.env(**env), stdout=fh,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        fh.close()
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def cli(self, args: list[str], timeout: float = 300.0) -> subprocess.CompletedProcess:
        """A one-off `prefect ...` command against this server; raises with its output when it fails."""
        out = subprocess.run([str(VENV_BIN / "prefect"), "--no-prompt", *args], cwd=str(REPO), env=self.env(),
                             capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        with open(self.home / "logs" / "cli.log", "a") as fh:
            fh.write(f"$ prefect {' '.join(args)}\n{out.stdout}\n{out.stderr}\n(rc {out.returncode})\n")
        if out.returncode != 0:
            raise RuntimeError(f"prefect {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        return out

    def wait_http(self, url: str, proc: Proc, timeout: float, ok=lambda status, body: status == 200) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}) before {url} answered:\n"
                                   f"{proc.tail()}")
            try:
                status, body = http_get(url, timeout=5)
                if ok(status, body):
                    return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(1)
        raise TimeoutError(f"{url} did not answer within {timeout:.0f} s; {proc.name} log:\n{proc.tail()}")

    def start_prefect(self, timeout: float = 180.0) -> None:
        self.prefect_port = free_port()
        server = self.spawn("prefect-server", [str(VENV_BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                                "--port", str(self.prefect_port)])
        self.wait_http(self.api_url + "/health", server, timeout)
        # The UI is served by the same process; wait for its index too.
        self.wait_http(self.prefect_url + "/", server, 60)

    def deploy(self, names: tuple[str, ...] = ("train-local", "resume-local")) -> dict[str, str]:
        """The work pool and the named deployments of prefect.yaml (from the repository root)."""
        self.cli(["work-pool", "create", POOL, "--type", "process"])
        results = {}
        for name in names:
            try:
                results[name] = self.cli(["deploy", "-n", name]).stdout
            except RuntimeError as exc:
                results[name] = f"FAILED: {exc}"
        return results

    def start_worker(self) -> Proc:
        worker = self.spawn("prefect-worker", [str(VENV_BIN / "prefect"), "worker", "start", "--pool", POOL,
                                               "--name", "e2e-worker"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not worker.alive():
                raise RuntimeError(f"worker exited ({worker.popen.returncode}):\n{worker.tail()}")
            workers = api(f"{self.api_url}/work_pools/{POOL}/workers/filter", {})
            if any(w.get("name") == "e2e-worker" for w in workers):
                return worker
            time.sleep(1)
        raise TimeoutError(f"worker did not register with pool {POOL}:\n{worker.tail()}")

    def start_mlflow(self, timeout: float = 180.0) -> Proc:
        self.mlflow_port = free_port()
        ui = self.spawn("mlflow-ui", [str(VENV_BIN / "mlflow"), "ui", "--backend-store-uri", self.mlflow_uri,
                                      "--host", "127.0.0.1", "--port", str(self.mlflow_port), "--workers", "1"],
                        cwd=self.home, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
        self.wait_http(self.mlflow_url + "/health", ui, timeout)
        return ui

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        self.procs.clear()

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":  # python -m tests.e2e.stack HOME: start everything and wait for Ctrl-C
    home = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/azr-e2e-manual")
    with Stack(home) as st:
        st.start_prefect()
        print("prefect UI:", st.prefect_url, flush=True)
        print(json.dumps(st.deploy(), indent=1), flush=True)
        st.start_worker()
        st.start_mlflow()
        print("mlflow UI:", st.mlflow_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
