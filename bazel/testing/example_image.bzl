"""example_oci_image and example_oci_index: tiny OCI image layouts shaped as rules_oci writes them.

For examples and tests only (hence bazel/testing, not defs.bzl). Real images come from rules_oci
(oci_image / oci_image_index) or any rule that writes an OCI image layout directory; these rules
exist because rules_oci cannot be fetched where these rules are developed. They are not part of the public API and make images that
only hold files (no base image). The shapes are rules_oci's, so that tests meet what users build:
- an image's layer blobs are relative symlinks pointing out of the layout directory, at layer files
  carried in the target's runfiles (rules_oci on Bazel >= 7.1; `layer_blobs = "copy"` for the
  older shape);
- an index copies every child blob and writes index.json with no schemaVersion and no mediaType;
- `media_types = "docker"` gives Docker schema 2 media types, as images built on Docker bases keep.
They need GNU tar, gzip, realpath and sha256sum (or shasum).
"""

def _writer_attrs(script):
    """The attributes that run a layout writer: the script, and the sha256_of helper that it sources."""
    return {
        # A file of its own, so that both writers (and scripts/release.sh) share one copy.
        "_sha256": attr.label(
            default = Label("//bazel/private:sha256.sh"),
            allow_single_file = True,
        ),
        "_writer": attr.label(
            default = Label(script),
            executable = True,
            allow_single_file = True,
            cfg = "exec",
        ),
    }

def _example_oci_image_impl(ctx):
    layout = ctx.actions.declare_directory(ctx.label.name)
    config = {}
    if ctx.attr.entrypoint:
        config["Entrypoint"] = ctx.attr.entrypoint
    if ctx.attr.env:
        config["Env"] = ["%s=%s" % (key, ctx.attr.env[key]) for key in sorted(ctx.attr.env.keys())]

    spec_lines = [
        "\t".join(["config", ctx.attr.architecture, ctx.attr.os, json.encode(config)]),
        "media\t" + ctx.attr.media_types,
        "blobs\t" + ctx.attr.layer_blobs,
    ]
    if ctx.attr.ref_name:
        spec_lines.append("ref\t" + ctx.attr.ref_name)
    inputs = []
    layer_files = []
    for index, layer in enumerate(ctx.attr.layers):
        # Each layer is a file of its own beside the layout, as rules_oci's layers are (pkg_tar outputs).
        layer_file = ctx.actions.declare_file("%s.layer%d.tar.gz" % (ctx.label.name, index + 1))
        layer_files.append(layer_file)
        spec_lines.append("layer\t" + layer_file.path)
        for file in layer.files.to_list():
            spec_lines.append("\t".join(["file", ctx.attr.directory.rstrip("/") + "/" + file.basename, file.path]))
            inputs.append(file)
    for tar in ctx.files.tars:
        spec_lines.append("tar\t" + tar.path)
        inputs.append(tar)
    spec = ctx.actions.declare_file(ctx.label.name + ".layout-spec.tsv")
    ctx.actions.write(spec, "\n".join(spec_lines) + "\n")

    ctx.actions.run(
        executable = ctx.executable._writer,
        arguments = [ctx.file._sha256.path, layout.path, spec.path],
        inputs = inputs + [spec, ctx.file._sha256],
        outputs = [layout] + layer_files,
        mnemonic = "ExampleOciLayout",
        progress_message = "Writing OCI image layout %s" % ctx.label,
    )

    # Linked blobs are only whole together with their targets: those travel as runfiles.
    linked = layer_files + ctx.files.tars if ctx.attr.layer_blobs == "link" else []
    return [DefaultInfo(
        files = depset([layout]),
        runfiles = ctx.runfiles(files = linked),
    )]

_example_oci_image_rule = rule(
    implementation = _example_oci_image_impl,
    doc = """Writes an OCI image layout directory: one gzip'ed layer per entry of `layers`, then one layer per
file of `tars`, a config, a manifest and a pretty-printed index.json.""",
    attrs = dict({
        "architecture": attr.string(default = "amd64", doc = "GOARCH-style architecture in the config."),
        "directory": attr.string(default = "/app", doc = "Directory in the image that receives the layers' files."),
        "entrypoint": attr.string_list(doc = "Entrypoint in the image config."),
        "env": attr.string_dict(doc = "Environment variables in the image config."),
        "layer_blobs": attr.string(
            mandatory = True,
            values = ["link", "copy"],
            doc = """`link`: layer blobs are relative symlinks to the layer files beside the layout, which the
target carries as runfiles (rules_oci on Bazel >= 7.1). `copy`: plain copies inside the layout.""",
        ),
        "layers": attr.label_list(allow_files = True, doc = "Each entry becomes one layer holding its files."),
        "media_types": attr.string(
            default = "oci",
            values = ["oci", "docker"],
            doc = "`oci`, or `docker` for Docker schema 2 manifest, config and layer media types.",
        ),
        "os": attr.string(default = "linux", doc = "Operating system in the config."),
        "ref_name": attr.string(doc = "org.opencontainers.image.ref.name annotation of the manifest in index.json."),
        "tars": attr.label_list(
            allow_files = [".tar"],
            doc = "Uncompressed tar files (e.g. pkg_tar outputs), each used as one layer as it is.",
        ),
    }, **_writer_attrs("//bazel/private:write_oci_layout.sh")),
)

def _bazel_links_out_of_trees():
    """Whether this Bazel lets a tree artifact hold relative symlinks leading out of it.

    Bazel 7.1 allows them; 4.2.3 refuses them ("A TreeArtifact may not contain relative symlinks whose
    target paths traverse outside of the TreeArtifact"). native.bazel_version is empty in BUILD files,
    so tell by a builtin of newer Bazel instead: native.module_name (Bazel 6 and later). Bazel 6 and 7.0
    users of this example-only rule set layer_blobs = "copy".
    """
    return hasattr(native, "module_name")

def example_oci_image(name, layer_blobs = None, **kwargs):
    """Writes an OCI image layout directory shaped as rules_oci's oci_image; see the rule's attributes.

    Args:
      name: Target name; the layout directory has this name.
      layer_blobs: `link` or `copy`; default as rules_oci does on this Bazel (`link` on Bazel 7).
      **kwargs: The rule's other attributes.
    """
    if layer_blobs == None:
        layer_blobs = "link" if _bazel_links_out_of_trees() else "copy"
    _example_oci_image_rule(name = name, layer_blobs = layer_blobs, **kwargs)

def _example_oci_index_impl(ctx):
    layout = ctx.actions.declare_directory(ctx.label.name)
    images = [image[DefaultInfo] for image in ctx.attr.images]
    directories = [info.files.to_list()[0] for info in images]
    ctx.actions.run(
        executable = ctx.executable._writer,
        arguments = [ctx.file._sha256.path, layout.path] + [directory.path for directory in directories],
        # The children's linked blobs must resolve while they are copied: their targets are inputs too.
        inputs = depset(directories + [ctx.file._sha256], transitive = [info.default_runfiles.files for info in images]),
        outputs = [layout],
        mnemonic = "ExampleOciIndex",
        progress_message = "Writing OCI image index layout %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([layout]))]

example_oci_index = rule(
    implementation = _example_oci_index_impl,
    doc = """Writes a multi-platform OCI image layout from example_oci_image targets, shaped as rules_oci's
oci_image_index: copied blobs, an image index blob, index.json without schemaVersion or mediaType.""",
    attrs = dict({
        "images": attr.label_list(mandatory = True, allow_empty = False, doc = "example_oci_image targets, one per platform."),
    }, **_writer_attrs("//bazel/private:write_oci_index.sh")),
)
