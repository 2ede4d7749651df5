"""The pushers compared, as the exact commands they run, and the runner that times them.

ours: `registry-push push`; crane 0.20.7 and oras 1.3.3 (Debian sid, extracted by peers.py); skopeo 1.9.3; and the
curl ingest bound: every blob uploaded at once by its own curl pair, the registry's own limit for those bytes.
Every contender runs with the same clean environment: a fresh HOME and XDG_RUNTIME_DIR (no credentials or Docker
config of the machine), and, over HTTPS, the run's certificate as the only trusted CA.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from registries import Endpoint
from workloads import Image

COMMAND_TIMEOUT_S = 600  # one push of the largest workload takes seconds; this only bounds a hang
PEERS = ("crane", "oras", "skopeo")  # the tools ours is measured against; the targets take the best of them


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds from process start to exit
    cpu: float  # user+system CPU seconds of the command and its children
    text: str  # its output (stdout and stderr)


class Runner:
    """Runs a contender's command with its output to a log; fails the bench when the command fails."""

    def __init__(self, work: Path):
        self.logs = work / "logs"
        self.logs.mkdir(exist_ok=True)
        home = work / "home"
        (home / "run").mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "SSL_CERT_FILE", "SSL_CERT_DIR")}
        self.env.update(HOME=str(home), XDG_RUNTIME_DIR=str(home / "run"))
        self.count = 0

    def run(self, name: str, argv: list[str], endpoint: Endpoint | None = None) -> Sample:
        """The command's wall time and CPU; registries are reaped only when stopped, so they never count here."""
        self.count += 1
        env = dict(self.env)
        if endpoint and endpoint.tls:
            env["SSL_CERT_FILE"] = str(endpoint.tls.cert)  # .NET and Go on Linux: the trusted roots
        log_path = self.logs / f"{self.count:04d}-{name}.log"
        # A blocking wait4, not subprocess.run(timeout=...): with a timeout Python polls with growing sleeps
        # (0.5 ms doubling up to 50 ms), which rounds every short run up to 16, 32, 64 or 114 ms and makes no-ops
        # of different speeds look alike. The timeout is a timer that kills the command instead.
        started = time.perf_counter()
        with open(log_path, "wb") as out:
            process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
            killer = threading.Timer(COMMAND_TIMEOUT_S, process.kill)
            killer.start()
            try:
                _, status, usage = os.wait4(process.pid, 0)
            finally:
                killer.cancel()
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        completed = process
        cpu = usage.ru_utime + usage.ru_stime
        text = log_path.read_text(errors="replace")
        if completed.returncode != 0:
            raise SystemExit(f"bench: {name} failed (exit {completed.returncode}): {' '.join(argv)}\n{text[-3000:]}")
        return Sample(elapsed, cpu, text)


@dataclass
class Contenders:
    work: Path
    pusher: str
    crane: str
    oras: str
    jobs: int | None

    def command(self, who: str, image: Image, endpoint: Endpoint, repository: str) -> list[str]:
        """`who`'s push of `image` to ENDPOINT/REPOSITORY:latest."""
        target = f"{endpoint.host}/{repository}"
        if who == "ours":
            return self.ours(image.layout, target)
        if who == "crane":
            return [self.crane, "push", *([] if endpoint.tls else ["--insecure"]), str(image.layout), f"{target}:latest"]
        if who == "oras":
            return [self.oras, "cp", "--from-oci-layout", *([] if endpoint.tls else ["--to-plain-http"]),
                    f"{image.layout}@{image.digest}", f"{target}:latest"]
        if who == "skopeo":
            trust = [f"--dest-cert-dir={endpoint.tls.cert_dir}"] if endpoint.tls else ["--dest-tls-verify=false"]
            return ["skopeo", "--insecure-policy", "copy", "--quiet", "--preserve-digests", *trust,
                    f"oci:{image.layout}:latest", f"docker://{target}:latest"]
        if who == "curl":
            return self.curl_bound(image, endpoint, repository)
        raise ValueError(who)

    def ours(self, layout: Path, target: str) -> list[str]:
        return [self.pusher, "push", str(layout), target, "--tag", "latest", "--quiet", *self._jobs()]

    def ours_plan(self, plan: Path) -> list[str]:
        return [self.pusher, "push-all", str(plan), "--quiet", *self._jobs()]

    def _jobs(self) -> list[str]:
        return ["--jobs", str(self.jobs)] if self.jobs else []

    def curl_bound(self, image: Image, endpoint: Endpoint, repository: str) -> list[str]:
        """A shell script uploading every blob of the image at once: one curl POST + one streamed PUT per blob.

        `-T FILE` streams the file (--data-binary would read it into memory first); `Expect:` is emptied so that no
        upload waits for a 100-continue round trip (our pusher does not send Expect either). No manifest, no
        existence checks: only the bytes, which is the registry's own ingest limit for them.
        """
        script = self.work / f"curl-{endpoint.registry.port}.sh"
        trust = f"--cacert '{endpoint.tls.cert}' " if endpoint.tls else ""
        lines = ["#!/bin/bash", "set -u", "pids=()"]
        for blob in image.blobs:
            lines.append(
                f"( loc=$(curl -sS -f {trust}-o /dev/null -w '%header{{location}}' -X POST "
                f"'{endpoint.base_url}/v2/{repository}/blobs/uploads/') && "
                f"curl -sS -f {trust}-o /dev/null -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' "
                f"-T '{blob.path}' \"${{loc}}&digest={blob.digest}\" ) & pids+=($!)")
        lines += ["status=0", 'for pid in "${pids[@]}"; do wait "$pid" || status=1; done', "exit $status"]
        script.write_text("\n".join(lines) + "\n")
        return ["bash", str(script)]


def rotate(items: list, rep: int) -> list:
    """Alternates the order between repetitions, so that no contender always runs first (or right after another)."""
    shift = rep % len(items)
    return items[shift:] + items[:shift]
