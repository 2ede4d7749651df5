#!/usr/bin/env python3
"""RegistryPush benchmark driver (called by bench/run, which builds the pusher and owns the work directory).

Generates the workloads as OCI image layouts, starts fresh CNCF distribution registries on 127.0.0.1, runs our pusher,
skopeo and the curl ingest bound alternately, and prints medians, ratios and the performance targets.
Everything it starts is recorded in WORK/pids (bench/run's trap stops those on any exit) and stopped here as well.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024
REGISTRY_START_TIMEOUT_S = 15.0  # a registry that has not answered /v2/ by then never will
COMMAND_TIMEOUT_S = 600  # one push of the largest workload takes seconds; this only bounds a hang

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


# ----------------------------------------------------------------------------------------------------------- workloads
@dataclass(frozen=True)
class Blob:
    path: Path
    digest: str
    size: int
    diff_id: str = ""


def write_layer(blobs_dir: Path, size: int, tag: str) -> Blob:
    """A gzip stream of `size` random bytes with stored (level 0) deflate blocks.

    Random bytes are incompressible, as real compressed layers are; wrapping them in a valid gzip stream keeps the
    tar+gzip media type honest, so that skopeo (which sniffs compression) copies the layer as it is.
    """
    tmp = blobs_dir / f".tmp-{tag}"
    compressor = zlib.compressobj(0, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    digest, diff_id = hashlib.sha256(), hashlib.sha256()
    written = 0
    with open(tmp, "wb") as out:
        remaining = size
        while remaining > 0:
            chunk = os.urandom(min(4 * MIB, remaining))
            remaining -= len(chunk)
            diff_id.update(chunk)
            piece = compressor.compress(chunk)
            digest.update(piece)
            out.write(piece)
            written += len(piece)
        tail = compressor.flush()
        digest.update(tail)
        out.write(tail)
        written += len(tail)
    final = blobs_dir / digest.hexdigest()
    tmp.rename(final)
    return Blob(final, "sha256:" + digest.hexdigest(), written, "sha256:" + diff_id.hexdigest())


def write_json_blob(blobs_dir: Path, document: dict) -> Blob:
    content = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    digest = hashlib.sha256(content).hexdigest()
    path = blobs_dir / digest
    path.write_bytes(content)
    return Blob(path, "sha256:" + digest, len(content))


def write_layout(layout: Path, layers: list[Blob], name: str) -> str:
    """Writes an OCI image layout holding one image made of `layers` (hard-linked, not copied); returns its digest."""
    blobs = layout / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    for layer in layers:
        target = blobs / layer.digest.split(":", 1)[1]
        if not target.exists():
            os.link(layer.path, target)
    config = write_json_blob(blobs, {
        "architecture": "amd64",
        "os": "linux",
        "created": "2025-01-01T00:00:00Z",
        "config": {"Labels": {"bench": name}},
        "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in layers]},
    })
    manifest = write_json_blob(blobs, {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config.digest, "size": config.size},
        "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": layer.digest, "size": layer.size} for layer in layers],
    })
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (layout / "index.json").write_text(json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": OCI_MANIFEST,
            "digest": manifest.digest,
            "size": manifest.size,
            "annotations": {"org.opencontainers.image.ref.name": "latest"},
        }],
    }))
    return manifest.digest


def layout_blobs(layout: Path) -> list[Blob]:
    """Every blob of a single-image layout except the manifest: what an ingest bound has to upload."""
    index = json.loads((layout / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"]
    manifest = json.loads(blob_path(layout, manifest_digest).read_text())
    descriptors = [manifest["config"], *manifest["layers"]]
    return [Blob(blob_path(layout, d["digest"]), d["digest"], d["size"]) for d in descriptors]


def blob_path(layout: Path, digest: str) -> Path:
    algorithm, hex_digest = digest.split(":", 1)
    return layout / "blobs" / algorithm / hex_digest


@dataclass
class Workloads:
    layered: Path  # N layers of incompressible data
    big: Path  # one large layer
    many_plan: Path  # push-all plan of 20 images sharing a base layer
    many_layouts: list[Path]
    sizes: dict


def generate(work: Path, sizes: dict) -> Workloads:
    source = work / "source-blobs"
    source.mkdir(parents=True)
    started = time.perf_counter()

    layers = [write_layer(source, sizes["layer_mib"] * MIB, f"layer{i}") for i in range(sizes["layers"])]
    layered = work / "layouts" / "layered"
    write_layout(layered, layers, "layered")

    big = work / "layouts" / "big"
    write_layout(big, [write_layer(source, sizes["big_mib"] * MIB, "big")], "big")

    base = write_layer(source, sizes["base_mib"] * MIB, "base")
    many_dir = work / "layouts" / "many"
    many_layouts, entries = [], []
    for i in range(sizes["images"]):
        small = write_layer(source, sizes["small_kib"] * 1024, f"small{i}")
        layout = many_dir / f"app-{i:02d}"
        write_layout(layout, [base, small], f"app-{i:02d}")
        many_layouts.append(layout)
        entries.append({"layout": layout.name, "repository": f"REGISTRY/many/app-{i:02d}", "tags": ["latest"]})
    plan_template = many_dir / "plan.template.json"
    plan_template.write_text(json.dumps({"images": entries}, indent=1))

    log(f"workloads generated in {time.perf_counter() - started:.1f} s under {work / 'layouts'}")
    return Workloads(layered, big, plan_template, many_layouts, sizes)


# ---------------------------------------------------------------------------------------------------------- registries
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


class Registry:
    """A fresh `docker-registry serve` on 127.0.0.1 with its own storage directory; stopped and wiped by stop()."""

    counter = 0

    def __init__(self, work: Path):
        Registry.counter += 1
        self.work = work
        self.dir = work / "registries" / f"r{Registry.counter:03d}"
        self.storage = self.dir / "storage"
        self.storage.mkdir(parents=True)
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        config = self.dir / "config.yml"
        # The registry:2 image's defaults (in-memory blob descriptor cache), minus access logs and upload purging,
        # which only add noise to a benchmark.
        config.write_text(f"""version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: {self.storage}
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: {self.host}
""")
        self.log_path = self.dir / "registry.log"
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log_file,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        with open(work / "pids", "a") as pids:
            pids.write(f"{self.process.pid}\n")
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + REGISTRY_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        self.stop()
        raise SystemExit(f"bench: registry on {self.host} did not start; log:\n{self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        stop_process(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)
        # Flush the registry's written data now, so that writeback does not land inside the next timed run.
        os.sync()

    def __enter__(self) -> "Registry":
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class DelayProxy:
    """bench/delay_proxy.py in front of a registry: the same registry, `rtt_ms` away."""

    def __init__(self, work: Path, registry: Registry, rtt_ms: float):
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("delay_proxy.py")), str(self.port), str(registry.port), str(rtt_ms / 2)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(work / "pids", "a") as pids:
            pids.write(f"{self.process.pid}\n")
        deadline = time.monotonic() + REGISTRY_START_TIMEOUT_S
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit(f"bench: delay proxy on {self.host} did not start")

    def stop(self) -> None:
        stop_process(self.process)

    def __enter__(self) -> "DelayProxy":
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


# ------------------------------------------------------------------------------------------------------------ commands
@dataclass
class Runner:
    work: Path
    pusher: str
    jobs: int | None
    logs: Path = field(init=False)

    last_cpu: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.logs = self.work / "logs"
        self.logs.mkdir(exist_ok=True)

    def run(self, name: str, argv: list[str]) -> tuple[float, str]:
        """Runs argv with output to a log; returns (wall seconds, stderr+stdout text). Fails the bench on error.

        Also sets `last_cpu`: the user+system CPU seconds of the command and its children. Unlike wall time it hardly
        depends on what else the machine runs; registries are reaped only when stopped, so they never count here.
        """
        log_path = self.logs / f"{name}.log"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        with open(log_path, "wb") as out:
            completed = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       timeout=COMMAND_TIMEOUT_S, check=False)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.last_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        text = log_path.read_text(errors="replace")
        if completed.returncode != 0:
            raise SystemExit(f"bench: {name} failed (exit {completed.returncode}): {' '.join(argv)}\n{text[-3000:]}")
        return elapsed, text

    def ours(self, layout: Path, repository: str, *extra: str) -> list[str]:
        jobs = ["--jobs", str(self.jobs)] if self.jobs else []
        return [self.pusher, "push", str(layout), repository, "--tag", "latest", "--quiet", *jobs, *extra]

    def ours_plan(self, plan: Path) -> list[str]:
        jobs = ["--jobs", str(self.jobs)] if self.jobs else []
        return [self.pusher, "push-all", str(plan), "--quiet", *jobs]

    @staticmethod
    def skopeo(layout: Path, repository: str) -> list[str]:
        return ["skopeo", "--insecure-policy", "copy", "--quiet", "--preserve-digests", "--dest-tls-verify=false",
                f"oci:{layout}:latest", f"docker://{repository}:latest"]

    def curl_bound(self, layout: Path, registry: Registry, repository_path: str) -> list[str]:
        """A shell script uploading every blob of the layout at once: one curl POST + one streamed PUT per blob.

        `-T FILE` streams the file (--data-binary would read it into memory first); `Expect:` is emptied so that no
        upload waits for a 100-continue round trip (our pusher does not send Expect either).
        """
        script = self.work / f"curl-{registry.port}.sh"
        lines = ["#!/bin/bash", "set -u", "pids=()"]
        for blob in layout_blobs(layout):
            lines.append(
                "( loc=$(curl -sS -f -o /dev/null -w '%header{location}' -X POST "
                f"'http://{registry.host}/v2/{repository_path}/blobs/uploads/') && "
                "curl -sS -f -o /dev/null -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' "
                f"-T '{blob.path}' \"${{loc}}&digest={blob.digest}\" ) & pids+=($!)")
        lines += ["status=0", 'for pid in "${pids[@]}"; do wait "$pid" || status=1; done', "exit $status"]
        script.write_text("\n".join(lines) + "\n")
        return ["bash", str(script)]


def rotate(items: list, rep: int) -> list:
    """Alternates the order between repetitions, so that no contender always runs first (or right after another)."""
    shift = rep % len(items)
    return items[shift:] + items[:shift]


# ------------------------------------------------------------------------------------------------------------ sections
def bench_cold(runner: Runner, wl: Workloads, reps: int, results: dict) -> None:
    log(f"cold push of {wl.sizes['layers']} x {wl.sizes['layer_mib']} MiB: ours, skopeo, curl bound; {reps} reps, fresh registry each")
    samples: dict[str, list[float]] = {"ours": [], "skopeo": [], "curl": []}
    cpu: dict[str, list[float]] = {"ours": [], "skopeo": [], "curl": []}
    for rep in range(reps):
        for who in rotate(list(samples), rep):
            with Registry(runner.work) as registry:
                repository = f"{registry.host}/bench/layered"
                argv = {
                    "ours": lambda: runner.ours(wl.layered, repository),
                    "skopeo": lambda: Runner.skopeo(wl.layered, repository),
                    "curl": lambda: runner.curl_bound(wl.layered, registry, "bench/layered"),
                }[who]()
                elapsed, _ = runner.run(f"cold-{who}-{rep}", argv)
                samples[who].append(elapsed)
                cpu[who].append(runner.last_cpu)
                log(f"  rep {rep + 1}/{reps} {who:<6} {elapsed:6.2f} s  (client CPU {runner.last_cpu:.2f} s)")
    results["cold"] = samples
    results["cold_cpu"] = cpu


def bench_noop(runner: Runner, wl: Workloads, reps: int, results: dict) -> None:
    log(f"no-op re-push (everything present): ours, skopeo; {reps} reps on one registry")
    samples: dict[str, list[float]] = {"ours": [], "skopeo": []}
    cpu: dict[str, list[float]] = {"ours": [], "skopeo": []}
    with Registry(runner.work) as registry:
        repository = f"{registry.host}/bench/layered"
        runner.run("noop-prepare", runner.ours(wl.layered, repository))
        # Let the 512 MiB the registry just wrote reach the disk first: writeback would otherwise slow the timed runs.
        os.sync()
        # One untimed no-op each first: both start from the same warm registry (its in-memory descriptor cache).
        runner.run("noop-warm-ours", runner.ours(wl.layered, repository))
        runner.run("noop-warm-skopeo", Runner.skopeo(wl.layered, repository))
        for rep in range(reps):
            for who in rotate(list(samples), rep):
                argv = runner.ours(wl.layered, repository) if who == "ours" else Runner.skopeo(wl.layered, repository)
                elapsed, _ = runner.run(f"noop-{who}-{rep}", argv)
                samples[who].append(elapsed)
                cpu[who].append(runner.last_cpu)
        for who in samples:
            log(f"  {who:<6} wall " + " ".join(f"{s * 1000:.0f}" for s in samples[who]) + " ms; CPU "
                + " ".join(f"{s * 1000:.0f}" for s in cpu[who]) + " ms")
    results["noop"] = samples
    results["noop_cpu"] = cpu


def bench_many(runner: Runner, wl: Workloads, reps: int, results: dict) -> None:
    count = wl.sizes["images"]
    log(f"{count} images sharing a {wl.sizes['base_mib']} MiB base: one push-all vs {count} separate pushes; {reps} reps")
    samples: dict[str, list[float]] = {"push-all": [], "separate": []}
    template = wl.many_plan.read_text()
    for rep in range(reps):
        for who in rotate(list(samples), rep):
            with Registry(runner.work) as registry:
                if who == "push-all":
                    plan = wl.many_plan.with_name(f"plan-{registry.port}.json")
                    plan.write_text(template.replace("REGISTRY", registry.host))
                    elapsed, _ = runner.run(f"many-all-{rep}", runner.ours_plan(plan))
                else:
                    elapsed = 0.0
                    for i, layout in enumerate(wl.many_layouts):
                        one, _ = runner.run(f"many-separate-{rep}-{i}", runner.ours(layout, f"{registry.host}/many/{layout.name}"))
                        elapsed += one
                samples[who].append(elapsed)
                log(f"  rep {rep + 1}/{reps} {who:<8} {elapsed:6.2f} s")
    results["many"] = samples


def bench_latency(runner: Runner, wl: Workloads, reps: int, rtt_ms: float, results: dict) -> None:
    """The registry seen through a delay proxy: what round trips cost a push to a distant registry."""
    log(f"{rtt_ms:.0f} ms round trip (bench/delay_proxy.py): {wl.sizes['images']}-image push-all cold and no-op, "
        f"single-image no-op ours vs skopeo; {reps} reps, fresh registry each")
    samples: dict[str, list[float]] = {"push-all": [], "push-all no-op": [], "ours no-op": [], "skopeo no-op": []}
    template = wl.many_plan.read_text()
    single = wl.many_layouts[0]
    for rep in range(reps):
        with Registry(runner.work) as registry, DelayProxy(runner.work, registry, rtt_ms) as proxy:
            plan = wl.many_plan.with_name(f"plan-{proxy.port}.json")
            plan.write_text(template.replace("REGISTRY", proxy.host))
            elapsed, _ = runner.run(f"latency-all-{rep}", runner.ours_plan(plan))
            samples["push-all"].append(elapsed)
            elapsed, _ = runner.run(f"latency-all-noop-{rep}", runner.ours_plan(plan))
            samples["push-all no-op"].append(elapsed)
            repository = f"{proxy.host}/many/{single.name}"
            for who in rotate(["ours no-op", "skopeo no-op"], rep):
                argv = runner.ours(single, repository) if who == "ours no-op" else Runner.skopeo(single, repository)
                elapsed, _ = runner.run(f"latency-{who.replace(' ', '-')}-{rep}", argv)
                samples[who].append(elapsed)
        log("  rep {}/{} ".format(rep + 1, reps) + "  ".join(f"{k} {v[-1]:.2f} s" for k, v in samples.items()))
    results["latency"] = samples
    results["latency_rtt_ms"] = rtt_ms


MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def bench_rss(runner: Runner, wl: Workloads, reps: int, results: dict) -> None:
    log(f"peak RSS pushing one {wl.sizes['big_mib']} MiB layer (/usr/bin/time -v): ours, skopeo; {reps} reps")
    samples: dict[str, list[float]] = {"ours": [], "skopeo": []}
    seconds: dict[str, list[float]] = {"ours": [], "skopeo": []}
    for rep in range(reps):
        for who in rotate(list(samples), rep):
            with Registry(runner.work) as registry:
                repository = f"{registry.host}/bench/big"
                argv = runner.ours(wl.big, repository) if who == "ours" else Runner.skopeo(wl.big, repository)
                elapsed, text = runner.run(f"rss-{who}-{rep}", ["/usr/bin/time", "-v", *argv])
                match = MAX_RSS.search(text)
                if not match:
                    raise SystemExit(f"bench: no 'Maximum resident set size' in /usr/bin/time output:\n{text[-2000:]}")
                samples[who].append(int(match.group(1)) / 1024)
                seconds[who].append(elapsed)
                log(f"  rep {rep + 1}/{reps} {who:<6} {samples[who][-1]:6.1f} MiB  {elapsed:5.2f} s")
    results["rss"] = samples
    results["big_seconds"] = seconds


def bench_startup(runner: Runner, runs: int, results: dict) -> None:
    log(f"startup: hyperfine -N '{runner.pusher} version' ({runs} runs)")
    export = runner.work / "hyperfine.json"
    runner.run("startup", ["hyperfine", "-N", "--warmup", "10", "--runs", str(runs), "--export-json", str(export),
                           f"{runner.pusher} version"])
    data = json.loads(export.read_text())["results"][0]
    results["startup"] = {"ours": list(data["times"])}


# --------------------------------------------------------------------------------------------------------------- table
SECTIONS = ("cold", "noop", "many", "latency", "rss", "startup")

TARGETS = {
    "cold_curl": 1.15,
    "cold_skopeo": 0.70,
    "noop_skopeo": 0.50,
    "many_speedup": 3.0,
    "rss_mib": 40.0,
    "startup_ms": 15.0,
}


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), {memory} RAM, {platform.system()} {platform.release()}"


def report(results: dict, sizes: dict) -> tuple[str, bool]:
    rows: list[tuple[str, ...]] = []
    all_met = True

    def row(name: str, ours: str, reference: str, ratio: float | None, target: str, met: bool | None,
            paired: float | None = None) -> None:
        nonlocal all_met
        if met is False:
            all_met = False
        rows.append((name, ours, reference, "" if ratio is None else f"{ratio:.2f}",
                     "" if paired is None else f"{paired:.2f}", target, "" if met is None else ("yes" if met else "NO")))

    def paired(samples: dict, ours: str, reference: str) -> float:
        """Median of the per-repetition ratios: each pair ran back to back, so slow drifts in load cancel out."""
        return median([a / b for a, b in zip(samples[ours], samples[reference])])

    if "cold" in results:
        cold = {k: median(v) for k, v in results["cold"].items()}
        what = f"cold push {sizes['layers']}x{sizes['layer_mib']} MiB"
        r = cold["ours"] / cold["curl"]
        row(f"{what} / curl ingest bound", f"{cold['ours']:.2f} s", f"{cold['curl']:.2f} s", r, f"<= {TARGETS['cold_curl']}",
            r <= TARGETS["cold_curl"], paired(results["cold"], "ours", "curl"))
        r = cold["ours"] / cold["skopeo"]
        row(f"{what} / skopeo copy", f"{cold['ours']:.2f} s", f"{cold['skopeo']:.2f} s", r, f"<= {TARGETS['cold_skopeo']}",
            r <= TARGETS["cold_skopeo"], paired(results["cold"], "ours", "skopeo"))
    if "cold_cpu" in results:
        cpu = {k: median(v) for k, v in results["cold_cpu"].items()}
        row("  (client CPU of that cold push / skopeo's)", f"{cpu['ours']:.2f} s", f"{cpu['skopeo']:.2f} s",
            cpu["ours"] / cpu["skopeo"], "(info)", None, paired(results["cold_cpu"], "ours", "skopeo"))
    if "noop" in results:
        noop = {k: median(v) for k, v in results["noop"].items()}
        r = noop["ours"] / noop["skopeo"]
        row("no-op re-push / skopeo no-op", f"{noop['ours'] * 1000:.0f} ms", f"{noop['skopeo'] * 1000:.0f} ms", r,
            f"<= {TARGETS['noop_skopeo']}", r <= TARGETS["noop_skopeo"], paired(results["noop"], "ours", "skopeo"))
        cpu = {k: median(v) for k, v in results["noop_cpu"].items()}
        row("  (CPU of that no-op / skopeo's)", f"{cpu['ours'] * 1000:.0f} ms", f"{cpu['skopeo'] * 1000:.0f} ms",
            cpu["ours"] / cpu["skopeo"], "(info)", None, paired(results["noop_cpu"], "ours", "skopeo"))
    if "many" in results:
        many = {k: median(v) for k, v in results["many"].items()}
        speedup = many["separate"] / many["push-all"]
        row(f"{sizes['images']} images: separate pushes / one push-all", f"{many['push-all']:.2f} s", f"{many['separate']:.2f} s",
            speedup, f">= {TARGETS['many_speedup']}", speedup >= TARGETS["many_speedup"], paired(results["many"], "separate", "push-all"))
    if "rss" in results:
        rss = {k: median(v) for k, v in results["rss"].items()}
        peak = max(results["rss"]["ours"])
        row(f"peak RSS, one {sizes['big_mib']} MiB layer (max of reps)", f"{peak:.1f} MiB", f"{rss['skopeo']:.1f} MiB (skopeo)",
            None, f"<= {TARGETS['rss_mib']:.0f} MiB", peak <= TARGETS["rss_mib"])
        big = {k: median(v) for k, v in results["big_seconds"].items()}
        r = big["ours"] / big["skopeo"]
        row(f"  (time to push the {sizes['big_mib']} MiB layer / skopeo)", f"{big['ours']:.2f} s", f"{big['skopeo']:.2f} s", r, "", None,
            paired(results["big_seconds"], "ours", "skopeo"))
    if "latency" in results:
        lat = {k: median(v) for k, v in results["latency"].items()}
        rtt = f"{results['latency_rtt_ms']:.0f} ms RTT"
        r = lat["ours no-op"] / lat["skopeo no-op"]
        row(f"{rtt}: no-op re-push / skopeo no-op", f"{lat['ours no-op'] * 1000:.0f} ms", f"{lat['skopeo no-op'] * 1000:.0f} ms", r,
            "(info)", None, paired(results["latency"], "ours no-op", "skopeo no-op"))
        row(f"{rtt}: {sizes['images']}-image push-all, cold / no-op", f"{lat['push-all']:.2f} s", f"{lat['push-all no-op']:.2f} s",
            None, "(info)", None)
    if "startup" in results:
        times = results["startup"]["ours"]
        ms = median(times) * 1000
        row("`registry-push version` startup (hyperfine median)", f"{ms:.1f} ms", f"mean {statistics.mean(times) * 1000:.1f} ms",
            None, f"<= {TARGETS['startup_ms']:.0f} ms", ms <= TARGETS["startup_ms"])

    header = ("measure", "ours", "reference", "ratio", "paired", "target", "met")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(line(r) for r in rows)]
    out.append("")
    counts = ", ".join(f"{section} {len(next(iter(results[section].values())))}" for section in SECTIONS if section in results)
    if "rss" in results:
        counts = counts.replace("rss ", "peak RSS ")
    out.append(f"medians; repetitions: {counts}; 'paired' = median of per-repetition ratios (pairs ran back to back)")
    out.append(f"machine: {machine()}")
    return "\n".join(out), all_met


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--pusher", required=True)
    parser.add_argument("--quick", action="store_true", help="smaller workloads and 3 repetitions (a smoke run)")
    parser.add_argument("--reps", type=int, help="repetitions per measure (default 5, --quick 3; at least 3)")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to the pusher (default: the pusher's own default)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections to run")
    parser.add_argument("--rtt-ms", type=float, default=20.0, help="round trip the latency section simulates (default 20)")
    parser.add_argument("--results", type=Path, help="also write raw samples and the table as JSON here")
    args = parser.parse_args()

    sizes = ({"layers": 8, "layer_mib": 16, "big_mib": 256, "images": 20, "base_mib": 16, "small_kib": 256}
             if args.quick else
             {"layers": 8, "layer_mib": 64, "big_mib": 1024, "images": 20, "base_mib": 64, "small_kib": 256})
    reps = args.reps or (3 if args.quick else 5)
    if reps < 3:
        parser.error("--reps must be at least 3 (medians of fewer say little on a shared machine)")
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    # SIGTERM (bench/run's trap) unwinds like Ctrl-C: every registry and proxy is stopped by its context manager.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    workloads = generate(args.work, sizes)
    os.sync()
    runner = Runner(args.work, args.pusher, args.jobs)
    results: dict = {}
    if "cold" in sections:
        bench_cold(runner, workloads, reps, results)
    if "noop" in sections:
        bench_noop(runner, workloads, max(2 * reps, 20), results)
    if "many" in sections:
        bench_many(runner, workloads, reps, results)
    if "latency" in sections:
        bench_latency(runner, workloads, reps, args.rtt_ms, results)
    if "rss" in sections:
        # Peak RSS barely varies between runs; three pushes of the big layer are enough and keep the run short.
        bench_rss(runner, workloads, 3, results)
    if "startup" in sections:
        bench_startup(runner, 100, results)

    table, all_met = report(results, sizes)
    log(f"done in {time.perf_counter() - started:.0f} s")
    print(table)
    if args.results:
        args.results.write_text(json.dumps({"sizes": sizes, "reps": reps, "machine": machine(), "samples": results,
                                            "table": table, "all_targets_met": all_met}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
