"""Fresh CNCF distribution registries (plain HTTP or HTTPS) on 127.0.0.1, optionally behind the delay relay.

Every process started here is recorded in WORK/pids, which bench/run's trap stops on any exit; the context managers
stop them as well. HTTPS registries answer under a host name that bench/run maps to 127.0.0.1 in the private mount
namespace the driver runs in (the machine's /etc/hosts is never touched).
"""
from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

START_TIMEOUT_S = 15.0  # a registry or relay that has not answered by then never will


@dataclass(frozen=True)
class Tls:
    """The self-signed certificate every HTTPS registry of a run serves; clients trust it as their only CA."""
    name: str  # the host name in the certificate's subjectAltName, mapped to 127.0.0.1
    cert: Path
    key: Path
    cert_dir: Path  # holds the certificate as ca.crt: what skopeo's --dest-cert-dir reads

    @staticmethod
    def create(work: Path, name: str) -> "Tls":
        folder = work / "tls"
        cert_dir = folder / "certs.d"
        cert_dir.mkdir(parents=True)
        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                        "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.copyfile(cert, cert_dir / "ca.crt")
        return Tls(name, cert, key, cert_dir)

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@dataclass(frozen=True)
class Endpoint:
    """Where clients push: `host` is HOST:PORT, `tls` the certificate to trust when it speaks HTTPS."""
    host: str
    tls: Tls | None
    registry: "Registry"

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    """Terminates a process this bench started, killing it if it does not exit within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def record_pid(work: Path, process: subprocess.Popen) -> None:
    with open(work / "pids", "a") as pids:
        pids.write(f"{process.pid}\n")


class Registry:
    """A fresh `docker-registry serve` with its own storage directory; stopped and wiped by stop().

    `access_log` turns on the registry's access log (one line per request, in the log file): the request recorder
    reads it; timed runs leave it off, as it only adds work.
    """

    counter = 0

    def __init__(self, work: Path, tls: Tls | None = None, access_log: bool = False):
        Registry.counter += 1
        self.work = work
        self.tls = tls
        self.dir = work / "registries" / f"r{Registry.counter:03d}"
        self.storage = self.dir / "storage"
        self.storage.mkdir(parents=True)
        self.port = free_port()
        self.host = f"{tls.name if tls else '127.0.0.1'}:{self.port}"
        tls_config = f"\n  tls:\n    certificate: {tls.cert}\n    key: {tls.key}" if tls else ""
        config = self.dir / "config.yml"
        # The registry:2 image's defaults (in-memory blob descriptor cache), minus upload purging (noise).
        config.write_text(f"""version: 0.1
log:
  level: error
  accesslog:
    disabled: {'false' if access_log else 'true'}
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: {self.storage}
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:{self.port}{tls_config}
""")
        self.log_path = self.dir / "registry.log"
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log_file,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        record_pid(work, self.process)
        self._wait_ready()

    def _wait_ready(self) -> None:
        url = f"{'https' if self.tls else 'http'}://{self.host}/v2/"
        context = self.tls.context() if self.tls else None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=1, context=context) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        log = self.log_path.read_text(errors="replace")[-2000:]
        self.stop()
        raise SystemExit(f"bench: registry on {self.host} did not start; log:\n{log}")

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        with open(self.log_path, "rb") as log_file:
            log_file.seek(offset)
            return log_file.read().decode(errors="replace")

    def stop(self) -> None:
        stop_process(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)
        # Flush the registry's written data now, so that writeback does not land inside the next timed run.
        os.sync()


class Relay:
    """bench/delay_proxy.py in front of a registry port: the same registry, `rtt_ms` away (half each way)."""

    def __init__(self, work: Path, target_port: int, rtt_ms: float):
        self.port = free_port()
        script = Path(__file__).with_name("delay_proxy.py")
        self.process = subprocess.Popen([sys.executable, str(script), str(self.port), str(target_port), str(rtt_ms / 2)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        record_pid(work, self.process)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit(f"bench: delay relay on 127.0.0.1:{self.port} did not start")

    def stop(self) -> None:
        stop_process(self.process)


@contextmanager
def serve(work: Path, tls: Tls | None, rtt_ms: float = 0, access_log: bool = False) -> Iterator[Endpoint]:
    """A fresh registry (HTTPS when `tls` is given), `rtt_ms` away when non-zero; stopped and wiped on exit."""
    registry = Registry(work, tls, access_log)
    relay = None
    try:
        if rtt_ms:
            relay = Relay(work, registry.port, rtt_ms)
            name = tls.name if tls else "127.0.0.1"
            yield Endpoint(f"{name}:{relay.port}", tls, registry)
        else:
            yield Endpoint(registry.host, tls, registry)
    finally:
        if relay:
            relay.stop()
        registry.stop()
