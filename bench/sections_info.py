"""Informational sections about our pusher alone: push-all's dedupe and mounts, and process start-up."""
from __future__ import annotations

from contenders import rotate
from registries import serve
from sections import Bench, log

STARTUP_RUNS, STARTUP_WARMUP = 100, 10


def run_many(bench: Bench) -> None:
    """One push-all of the images sharing a base layer vs one push per image, each side on a fresh registry.

    Separate pushes are what as many `bazel run :x_image_push` do: each fresh process knows no other repository to
    mount the base from, so it uploads it again. Then the same push-all cold and as a no-op, `rtt_ms` away.
    """
    images = bench.workloads.many
    sizes = bench.workloads.sizes
    log(f"{len(images)} images sharing a {sizes['base_mib']} MiB base: one push-all vs {len(images)} separate pushes; "
        f"{bench.reps} reps")
    samples: dict[str, list[float]] = {"push-all": [], "separate": []}
    template = bench.workloads.many_plan.read_text()
    for rep in range(bench.reps):
        for who in rotate(list(samples), rep):
            with serve(bench.work, None) as endpoint:
                if who == "push-all":
                    plan = bench.workloads.many_plan.with_name(f"plan-{endpoint.registry.port}.json")
                    plan.write_text(template.replace("REGISTRY", endpoint.host))
                    elapsed = bench.runner.run(f"many-all-{rep}", bench.contenders.ours_plan(plan)).wall
                else:
                    elapsed = 0.0
                    for i, image in enumerate(images):
                        argv = bench.contenders.ours(image.layout, f"{endpoint.host}/many/{image.layout.name}")
                        elapsed += bench.runner.run(f"many-separate-{rep}-{i}", argv).wall
            samples[who].append(elapsed)
            log(f"  rep {rep + 1}/{bench.reps} {who:<8} {elapsed:6.2f} s")
    bench.store("many", f"{len(images)} images sharing a base, loopback HTTP", "s", samples)

    log(f"the same push-all {bench.rtt_ms:.0f} ms away, cold and as a no-op; {bench.reps} reps")
    distant: dict[str, list[float]] = {"cold": [], "no-op": []}
    for rep in range(bench.reps):
        with serve(bench.work, None, bench.rtt_ms) as endpoint:
            plan = bench.workloads.many_plan.with_name(f"plan-{endpoint.registry.port}-rtt.json")
            plan.write_text(template.replace("REGISTRY", endpoint.host))
            for who in distant:
                distant[who].append(bench.runner.run(f"many-rtt-{who}-{rep}", bench.contenders.ours_plan(plan)).wall)
    bench.store("many-rtt", f"{len(images)}-image push-all, {bench.rtt_ms:.0f} ms RTT, HTTP", "s", distant)


def run_startup(bench: Bench) -> None:
    """`registry-push version`, timed as the other commands are (after a few untimed runs to warm the page cache)."""
    log(f"startup: '{bench.contenders.pusher} version', {STARTUP_RUNS} runs after {STARTUP_WARMUP} untimed")
    argv = [bench.contenders.pusher, "version"]
    for i in range(STARTUP_WARMUP):
        bench.runner.run(f"startup-warm-{i}", argv)
    times = []
    for i in range(STARTUP_RUNS):
        times.append(bench.runner.run(f"startup-{i}", argv).wall)
    bench.store("startup", "`registry-push version` start-up", "s", {"ours": times})
