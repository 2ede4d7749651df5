"""The registry-push toolchain: which pusher binary the push rules run."""

TOOLCHAIN_TYPE = str(Label("//bazel:toolchain_type"))

def _registry_push_toolchain_impl(ctx):
    binary = ctx.executable.registry_push
    runfiles = ctx.runfiles(files = [binary]).merge(ctx.attr.registry_push[DefaultInfo].default_runfiles)
    return [
        platform_common.ToolchainInfo(
            registry_push = struct(
                binary = binary,
                runfiles = runfiles,
            ),
        ),
    ]

registry_push_toolchain = rule(
    implementation = _registry_push_toolchain_impl,
    attrs = {
        "registry_push": attr.label(
            doc = "The registry-push executable: a file or an executable target, built for the exec platform.",
            mandatory = True,
            executable = True,
            allow_files = True,
            cfg = "exec",
        ),
    },
    doc = """Declares a registry-push binary for the `@registry_push//bazel:toolchain_type` toolchain.

Wrap it in `toolchain()` with `exec_compatible_with` constraints and register that. The pusher
always runs on the host that runs `bazel run` (the exec platform), whatever the image's platform.
Provides `ToolchainInfo(registry_push = struct(binary = File, runfiles = runfiles))`.
""",
)

def _unsupported_toolchain_impl(ctx):
    fail(ctx.attr.message)

registry_push_unsupported_toolchain = rule(
    implementation = _unsupported_toolchain_impl,
    attrs = {"message": attr.string(mandatory = True, doc = "What to tell the user: why no pusher fits, and the ways out.")},
    doc = "A toolchain implementation that fails the build with `message` when toolchain resolution picks it.",
)

def resolve_registry_push(ctx):
    """Returns the toolchain's struct(binary, runfiles) for a rule that declared TOOLCHAIN_TYPE.

    Args:
      ctx: the rule context.

    Returns:
      struct(binary = File, runfiles = runfiles).
    """
    return ctx.toolchains[TOOLCHAIN_TYPE].registry_push
