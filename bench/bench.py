#!/usr/bin/env python3
"""RegistryPush benchmark driver (called by bench/run, which builds the pusher, owns the work directory and runs this
inside a private mount namespace where the HTTPS registries' host name means 127.0.0.1).

Generates the workloads, runs the sections, prints the table on stdout and exits 3 when a target is missed.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import peers
from contenders import Contenders, Runner
from registries import Tls
from requests_log import run_requests
from sections import Bench, log, run_cold, run_distant, run_noop, run_rss, run_tls
from sections_info import run_many, run_startup
from table import report
from workloads import FULL_SIZES, QUICK_SIZES, generate

SECTIONS = {"cold": run_cold, "noop": run_noop, "rtt": run_distant, "tls": run_tls, "rss": run_rss,
            "many": run_many, "startup": run_startup, "requests": run_requests}
TLS_SECTIONS = {"tls", "rss", "requests"}
TARGET_MISSED = 3


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--pusher", required=True)
    parser.add_argument("--quick", action="store_true", help="smaller workloads, fewer no-ops (a smoke run)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of cold pushes and peak RSS (default 3)")
    parser.add_argument("--noop-reps", type=int, help="repetitions of each no-op (default 15, --quick 7)")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to our pusher (default: the pusher's own default)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections to run")
    parser.add_argument("--rtt-ms", type=float, default=20.0, help="round trip of the distant registries (default 20)")
    parser.add_argument("--tls-name", default=os.environ.get("BENCH_TLS_NAME", "registry.bench.test"),
                        help="host name of the HTTPS registries; must resolve to 127.0.0.1")
    parser.add_argument("--results", type=Path, help="also write raw samples and the table as JSON here")
    args = parser.parse_args()
    if args.reps < 1 or (args.noop_reps is not None and args.noop_reps < 1):
        parser.error("--reps and --noop-reps must be at least 1")
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))} (known: {', '.join(SECTIONS)})")
    return args


def check_name(name: str) -> None:
    try:
        address = socket.gethostbyname(name)
    except OSError:
        address = "nothing"
    if address != "127.0.0.1":
        raise SystemExit(f"bench: {name} resolves to {address}, not 127.0.0.1: run the HTTPS sections through bench/run, "
                         "which maps it in a private mount namespace")


def main() -> int:
    args = arguments()
    # SIGTERM (bench/run's trap) unwinds like Ctrl-C: every registry and relay is stopped by its context manager.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if TLS_SECTIONS & set(args.sections):
        check_name(args.tls_name)
    binaries = peers.ensure(log)
    started = time.perf_counter()
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    workloads = generate(args.work, sizes, log)
    os.sync()
    noop_reps = args.noop_reps or (7 if args.quick else 15)
    bench = Bench(args.work, Runner(args.work), Contenders(args.work, args.pusher, binaries["crane"], binaries["oras"], args.jobs),
                  Tls.create(args.work, args.tls_name), workloads, args.reps, noop_reps, args.rtt_ms, {})
    for section in args.sections:
        SECTIONS[section](bench)

    table, missed = report(bench.results, args.reps, noop_reps)
    log(f"done in {time.perf_counter() - started:.0f} s")
    print(table, flush=True)
    if args.results:
        args.results.write_text(json.dumps({"sizes": sizes, "reps": args.reps, "noop_reps": noop_reps,
                                            "results": bench.results, "table": table, "missed": missed}, indent=1))
    return TARGET_MISSED if missed else 0


if __name__ == "__main__":
    sys.exit(main())
