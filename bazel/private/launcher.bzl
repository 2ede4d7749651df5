"""The launcher of a push target: launcher.sh.tpl, filled in with the arguments baked in at build time.

The template holds all the shell; this file only substitutes values. Each argument is a pair, how the
launcher finds it and its value:
    literal VALUE      passed as it is
    runfile PATH       the absolute path of a runfile, by its runfiles path
    first-line PATH    the first line of a runfile (a repository_file)
"""

load(":providers.bzl", "StampSettingInfo")
load(":runfiles.bzl", "rlocation")

def _quote(value):
    """Quotes a string for bash: single quotes, with embedded ones closed, escaped and reopened."""
    return "'" + value.replace("'", "'\\''") + "'"

def literal(value):
    """An argument passed as it is."""
    return ("literal", value)

def runfile(path):
    """An argument that is the absolute path of a runfile (runfiles.bzl's rlocation), found at run time."""
    return ("runfile", path)

def runfile_first_line(path):
    """An argument that is the first line of a runfile (runfiles.bzl's rlocation), read at run time."""
    return ("first-line", path)

STAMP_ATTRS = {
    "stamp": attr.int(
        doc = """Whether to fill `{KEY}` placeholders in tags from workspace status.
`1`: always; `0`: never (such tags are skipped with a warning); `-1` (default): follow `--stamp`.""",
        default = -1,
        values = [-1, 0, 1],
    ),
    "_stamp": attr.label(
        default = Label("//bazel/private:stamp"),
        providers = [StampSettingInfo],
    ),
}

LAUNCHER_ATTRS = {
    "_launcher_template": attr.label(
        default = Label("//bazel/private:launcher.sh.tpl"),
        allow_single_file = True,
    ),
}

def _stamping(ctx):
    if ctx.attr.stamp == 1:
        return True
    if ctx.attr.stamp == 0:
        return False
    return ctx.attr._stamp[StampSettingInfo].value

def stamp_arguments(ctx):
    """The --stamp-info arguments for stable-status.txt and volatile-status.txt, and those files, when stamping.

    Args:
      ctx: the context of a rule with STAMP_ATTRS.

    Returns:
      (list of arguments, list of files for the runfiles).
    """
    if not _stamping(ctx):
        return [], []
    arguments = []
    for status in [ctx.info_file, ctx.version_file]:
        arguments.append(literal("--stamp-info"))
        arguments.append(runfile(rlocation(ctx, status)))
    return arguments, [ctx.info_file, ctx.version_file]

def write_launcher(ctx, pusher, command, example_arguments, arguments, repository_from_arguments = False, runfiles_dir_required_by = ""):
    """Writes the executable `<target name>`: a bash launcher that runs `arguments` and the user's extra ones.

    Args:
      ctx: the context of a rule with LAUNCHER_ATTRS.
      pusher: the toolchain's struct(binary, runfiles).
      command: the registry-push command, for the launcher's header.
      example_arguments: extra arguments shown in the header's `bazel run` example.
      arguments: what to run: pairs from literal(), runfile() and runfile_first_line().
      repository_from_arguments: the target knows no repository; the extra arguments must give one.
      runfiles_dir_required_by: a rule that needs a runfiles directory (files found relative to one another).

    Returns:
      The launcher File.
    """
    launcher = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.expand_template(
        template = ctx.file._launcher_template,
        output = launcher,
        is_executable = True,
        substitutions = {
            "{{ARGUMENTS}}": "\n".join(["  %s %s" % (kind, _quote(value)) for kind, value in arguments]),
            "{{COMMAND}}": command,
            "{{EXAMPLE_ARGUMENTS}}": example_arguments,
            "{{MARKER}}": _quote(rlocation(ctx, pusher.binary)),
            "{{REPOSITORY_FROM_ARGUMENTS}}": "true" if repository_from_arguments else "false",
            "{{RUNFILES_DIR_REQUIRED_BY}}": _quote(runfiles_dir_required_by),
            "{{TARGET}}": str(ctx.label),
        },
    )
    return launcher
