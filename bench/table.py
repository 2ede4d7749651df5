"""The table of medians, the ratios of ours to the best peer, and the targets they are judged against."""
from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path

from contenders import PEERS
from requests_log import describe

# key: (what ours is divided by, the largest ratio that meets the target). "best" is the fastest (or smallest) of
# crane, oras and skopeo in the same run. Measures not listed here are informational.
TARGETS = {
    "cold-loopback-http": ("best", 1.0),
    "noop-loopback-http": ("best", 0.6),
    "noop-rtt-http": ("best", 0.85),
    "cold-rtt-https": ("best", 0.5),
    "noop-rtt-https": ("best", 0.7),
    "rss-http": ("crane", 1.0),
    "rss-https": ("crane", 1.0),
}
ORDER = ("cold-loopback-http", "noop-loopback-http", "cold-rtt-http", "noop-rtt-http", "cold-rtt-https",
         "noop-rtt-https", "noop-loopback-https", "rss-http", "rss-https")
COLUMNS = ("ours", *PEERS, "curl")


def median(values: list[float]) -> float:
    return statistics.median(values)


def amount(value: float, unit: str) -> str:
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def machine() -> str:
    cpu, memory = "unknown CPU", "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:"))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs ({cpu}), {memory} RAM, {platform.system()} {platform.release()}, load {load}"


def markdown(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(line(r) for r in rows)]


def compare(measure: dict, key: str) -> tuple[tuple[str, ...], bool | None]:
    """One row of the main table and whether its target is met (None: informational)."""
    samples, unit = measure["samples"], measure["unit"]
    med = {who: median(v) for who, v in samples.items()}
    against, limit = TARGETS.get(key, ("best", None))
    reference = min(PEERS, key=lambda who: med[who]) if against == "best" else against
    ratio = med["ours"] / med[reference]
    # Median of the per-repetition ratios: each repetition ran its contenders back to back, so drifts cancel out.
    paired = median([a / b for a, b in zip(samples["ours"], samples[reference])])
    cpu = measure.get("cpu") or {}
    cpu_ratio = f"{median(cpu['ours']) / median(cpu[reference]):.2f}" if cpu.get(reference) and median(cpu[reference]) else ""
    met = None if limit is None else ratio <= limit
    cells = tuple(amount(med[who], unit) if who in med else "" for who in COLUMNS)
    row = (measure["label"], *cells, f"{ratio:.2f} ({reference})", f"{paired:.2f}", cpu_ratio,
           "(info)" if limit is None else f"<= {limit}", "" if met is None else ("yes" if met else "NO"))
    return row, met


def info_rows(results: dict) -> list[tuple[str, ...]]:
    rows = []
    if "many" in results:
        many = {k: median(v) for k, v in results["many"]["samples"].items()}
        rows.append((results["many"]["label"], f"push-all {amount(many['push-all'], 's')}",
                     f"separate pushes {amount(many['separate'], 's')}", f"{many['separate'] / many['push-all']:.1f}x faster"))
    if "many-rtt" in results:
        rtt = {k: median(v) for k, v in results["many-rtt"]["samples"].items()}
        rows.append((results["many-rtt"]["label"], f"cold {amount(rtt['cold'], 's')}", f"no-op {amount(rtt['no-op'], 's')}", ""))
    if "startup" in results:
        times = results["startup"]["samples"]["ours"]
        rows.append((results["startup"]["label"], f"median {median(times) * 1000:.1f} ms",
                     f"mean {statistics.mean(times) * 1000:.1f} ms", f"{len(times)} runs"))
    for key in ("requests-http", "requests-https"):
        if key in results:
            counts = ", ".join(f"{who} {len(lines)}" for who, lines in results[key]["requests"].items())
            rows.append((results[key]["label"], counts, "", "see below"))
    return rows


def report(results: dict, reps: int, noop_reps: int) -> tuple[str, list[str]]:
    """The tables as markdown, and the labels of the measures whose target was missed."""
    rows, missed = [], []
    for key in ORDER:
        if key in results:
            row, met = compare(results[key], key)
            rows.append(row)
            if met is False:
                missed.append(results[key]["label"])
    out: list[str] = []
    if rows:
        out += markdown(("workload", *COLUMNS[:-1], "curl bound", "ours / best", "paired", "CPU ours / best", "target",
                         "met"), rows)
        out.append("")
    extra = info_rows(results)
    if extra:
        out += markdown(("informational", "ours", "reference", ""), extra)
        out.append("")
    out += describe(results)
    out.append(f"medians; repetitions: cold and peak RSS {reps}, no-op {noop_reps}; 'ours / best': median of ours over "
               "the median of the best peer (named); 'paired': median of per-repetition ratios to that peer")
    out.append(f"machine: {machine()}")
    if missed:
        out.append("targets missed: " + "; ".join(missed))
    elif any(key in results for key in TARGETS):
        out.append("every target measured in this run is met")
    return "\n".join(out), missed
