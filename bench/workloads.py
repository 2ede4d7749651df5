"""The benchmark's workloads: OCI image layouts of incompressible layers, generated once per run."""
from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"

# Full sizes follow the table; --quick shrinks the large ones so that a smoke run takes a few minutes.
FULL_SIZES = {"layered": (8, 64), "distant": (6, 2), "tls": (8, 8), "images": 20, "base_mib": 64, "small_kib": 256}
QUICK_SIZES = {"layered": (8, 16), "distant": (6, 2), "tls": (8, 4), "images": 20, "base_mib": 16, "small_kib": 256}


@dataclass(frozen=True)
class Blob:
    path: Path
    digest: str
    size: int
    diff_id: str = ""


@dataclass(frozen=True)
class Image:
    """One single-image OCI layout: its folder, its manifest's digest (oras names it) and what it is made of."""
    layout: Path
    digest: str
    blobs: tuple[Blob, ...]  # config and layers, not the manifest: what an ingest bound uploads
    label: str  # "8x64 MiB"

    @property
    def mib(self) -> int:
        return round(sum(blob.size for blob in self.blobs) / MIB)


@dataclass
class Workloads:
    layered: Image  # cold and no-op on loopback, peak RSS
    distant: Image  # cold and no-op 20 ms away over HTTP
    tls: Image  # cold and no-op over HTTPS
    many: list[Image]  # images sharing one base layer, for push-all
    many_plan: Path  # push-all plan whose repositories start with the placeholder REGISTRY
    sizes: dict


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


def write_layout(layout: Path, layers: list[Blob], name: str, label: str) -> Image:
    """Writes an OCI image layout holding one image made of `layers` (hard-linked, not copied)."""
    blobs = layout / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    linked = []
    for layer in layers:
        target = blobs / layer.digest.split(":", 1)[1]
        if not target.exists():
            os.link(layer.path, target)
        linked.append(Blob(target, layer.digest, layer.size, layer.diff_id))
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
    return Image(layout, manifest.digest, (config, *linked), label)


def layered_image(source: Path, layouts: Path, name: str, count: int, mib: int) -> Image:
    layers = [write_layer(source, mib * MIB, f"{name}{i}") for i in range(count)]
    return write_layout(layouts / name, layers, name, f"{count}x{mib} MiB")


def generate(work: Path, sizes: dict, log) -> Workloads:
    source = work / "source-blobs"
    source.mkdir(parents=True)
    layouts = work / "layouts"
    started = time.perf_counter()

    layered = layered_image(source, layouts, "layered", *sizes["layered"])
    distant = layered_image(source, layouts, "distant", *sizes["distant"])
    tls = layered_image(source, layouts, "tls", *sizes["tls"])

    base = write_layer(source, sizes["base_mib"] * MIB, "base")
    many_dir = layouts / "many"
    many, entries = [], []
    for i in range(sizes["images"]):
        small = write_layer(source, sizes["small_kib"] * 1024, f"small{i}")
        name = f"app-{i:02d}"
        many.append(write_layout(many_dir / name, [base, small], name, f"{sizes['base_mib']} MiB + {sizes['small_kib']} KiB"))
        entries.append({"layout": name, "repository": f"REGISTRY/many/{name}", "tags": ["latest"]})
    plan = many_dir / "plan.template.json"
    plan.write_text(json.dumps({"images": entries}, indent=1))

    log(f"workloads generated in {time.perf_counter() - started:.1f} s under {layouts}")
    return Workloads(layered, distant, tls, many, plan, sizes)
