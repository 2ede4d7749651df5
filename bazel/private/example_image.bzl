"""example_oci_image: writes a tiny OCI image layout. For examples and tests only.

Real images come from rules_oci (oci_image / oci_image_index) or any rule that writes an OCI image
layout directory; this rule exists because rules_oci cannot be fetched where these rules are
developed. It is not part of the public API and makes images that only hold files (no base image).
It needs GNU tar, gzip and sha256sum (or shasum).
"""

def _example_oci_image_impl(ctx):
    layout = ctx.actions.declare_directory(ctx.label.name)
    config = {}
    if ctx.attr.entrypoint:
        config["Entrypoint"] = ctx.attr.entrypoint
    if ctx.attr.env:
        config["Env"] = ["%s=%s" % (key, ctx.attr.env[key]) for key in sorted(ctx.attr.env.keys())]

    spec_lines = ["\t".join(["config", ctx.attr.architecture, ctx.attr.os, json.encode(config)])]
    if ctx.attr.ref_name:
        spec_lines.append("ref\t" + ctx.attr.ref_name)
    inputs = []
    for layer in ctx.attr.layers:
        spec_lines.append("layer")
        for file in layer.files.to_list():
            spec_lines.append("\t".join(["file", ctx.attr.directory.rstrip("/") + "/" + file.basename, file.path]))
            inputs.append(file)
    spec = ctx.actions.declare_file(ctx.label.name + ".layout-spec.tsv")
    ctx.actions.write(spec, "\n".join(spec_lines) + "\n")

    ctx.actions.run(
        executable = ctx.executable._writer,
        arguments = [layout.path, spec.path],
        inputs = inputs + [spec],
        outputs = [layout],
        mnemonic = "ExampleOciLayout",
        progress_message = "Writing OCI image layout %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([layout]))]

example_oci_image = rule(
    implementation = _example_oci_image_impl,
    doc = "Writes an OCI image layout directory: one gzip'ed layer per entry of `layers`, a config, a manifest and index.json.",
    attrs = {
        "architecture": attr.string(default = "amd64", doc = "GOARCH-style architecture in the config."),
        "directory": attr.string(default = "/app", doc = "Directory in the image that receives the layers' files."),
        "entrypoint": attr.string_list(doc = "Entrypoint in the image config."),
        "env": attr.string_dict(doc = "Environment variables in the image config."),
        "layers": attr.label_list(allow_files = True, doc = "Each entry becomes one layer holding its files."),
        "os": attr.string(default = "linux", doc = "Operating system in the config."),
        "ref_name": attr.string(doc = "org.opencontainers.image.ref.name annotation of the manifest in index.json."),
        "_writer": attr.label(
            default = Label("//bazel/private:write_oci_layout.sh"),
            executable = True,
            allow_single_file = True,
            cfg = "exec",
        ),
    },
)
