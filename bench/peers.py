"""crane and oras from Debian's unstable suite, extracted (not installed) into the tests' peer cache.

They need only libc 2.34, so they run on Debian 12 extracted: the same cache folder and recipe as
scripts/test-env/peers.sh (which extracts oras for the tests), here for crane as well. Nothing is installed and the
machine's apt state is untouched; a second run only checks.
"""
from __future__ import annotations

import fcntl
import os
import re
import subprocess
import tempfile
from pathlib import Path

PACKAGES = ("crane", "oras")


def cache_dir() -> Path:
    root = os.environ.get("REGISTRY_PUSH_TEST_CACHE") or \
        str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "registry-push-tests")
    return Path(root) / "peers"


def sid_sources() -> str:
    """The machine's own first apt source stanza, its suite set to sid (the archive here is a frozen snapshot)."""
    stanza = Path("/etc/apt/sources.list.d/debian.sources").read_text().strip().split("\n\n")[0]
    return re.sub(r"(?m)^Suites:.*$", "Suites: sid", stanza) + "\n"


def ensure(log) -> dict[str, str]:
    """The path of each peer's binary, extracting the missing ones first."""
    cache = cache_dir()
    binaries = {name: cache / "usr" / "bin" / name for name in PACKAGES}
    missing = [name for name, path in binaries.items() if not os.access(path, os.X_OK)]
    if missing:
        cache.mkdir(parents=True, exist_ok=True)
        with open(cache / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            missing = [name for name in missing if not os.access(binaries[name], os.X_OK)]
            if missing:
                fetch(cache, missing, log)
    return {name: str(path) for name, path in binaries.items()}


def fetch(cache: Path, packages: list[str], log) -> None:
    log(f"fetching {' '.join(packages)} from Debian sid into {cache}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for sub in ("sources", "lists/partial", "archives/partial"):
            (work / sub).mkdir(parents=True)
        (work / "sources" / "sid.sources").write_text(sid_sources())
        options = ["-o", "Dir::Etc::SourceList=/dev/null", "-o", f"Dir::Etc::SourceParts={work / 'sources'}",
                   "-o", f"Dir::State::Lists={work / 'lists'}", "-o", "Acquire::Check-Valid-Until=false",
                   "-o", f"Dir::Cache::Archives={work / 'archives'}", "-o", "APT::Sandbox::User=root"]
        for step in (["update"], ["download", *packages]):
            done = subprocess.run(["apt-get", *options, *step], cwd=work / "archives", capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"bench: apt-get {step[0]} for {' '.join(packages)} failed:\n{done.stdout}{done.stderr}")
        for deb in sorted((work / "archives").glob("*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(cache)], check=True)
