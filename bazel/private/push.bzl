"""Rules behind image_push and image_push_all: launchers that run registry-push on OCI image layouts."""

load(":providers.bzl", "ImagePushInfo", "RepositoryPrefixInfo", "StampSettingInfo")
load(":reference.bzl", "REPOSITORY_RULE", "TAG_RULE", "repository_error", "tag_error")
load(":toolchain.bzl", "TOOLCHAIN_TYPE", "resolve_registry_push")

# --- helpers --------------------------------------------------------------------------------------

def _rlocation(ctx, file):
    """The runfiles path of a file: 'repository/package/name', as the launcher looks it up."""
    if file.short_path.startswith("../"):
        return file.short_path[len("../"):]
    return ctx.workspace_name + "/" + file.short_path

def _quote(value):
    """Quotes a string for bash: single quotes, with embedded ones closed, escaped and reopened."""
    return "'" + value.replace("'", "'\\''") + "'"

def _literal(value):
    return "_rp_args+=(%s)" % _quote(value)

def _runfile(rlocation):
    return "_rp_value=\"$(_rp_rlocation %s)\"\n_rp_args+=(\"$_rp_value\")" % _quote(rlocation)

def _runfile_first_line(rlocation):
    return "_rp_value=\"$(_rp_first_line \"$(_rp_rlocation %s)\")\"\n_rp_args+=(\"$_rp_value\")" % _quote(rlocation)

def _fail_for(ctx, attribute, value, reason, rule):
    fail("\n%s: %s %s is invalid: %s.\n  Rule: %s." % (ctx.label, attribute, repr(value), reason, rule))

def _image_layout(ctx):
    """Finds the OCI image layout in `image`: one directory, or a set of files holding index.json."""
    files = ctx.files.image

    # What the layout's files point at: rules_oci's layer blobs are relative symlinks to files outside
    # the layout directory, which oci_image carries as runfiles. Without them a push target is not whole
    # (e.g. under --remote_download_toplevel, or in a runfiles tree copied elsewhere).
    linked = ctx.attr.image[DefaultInfo].default_runfiles.files
    if len(files) == 1 and files[0].is_directory:
        return struct(
            files = depset(files, transitive = [linked]),
            path = files[0].path,
            rlocation = _rlocation(ctx, files[0]),
        )
    index_files = [f for f in files if f.basename == "index.json"]
    if len(index_files) != 1:
        fail(("\n%s: image %s must provide an OCI image layout: one directory (as rules_oci's oci_image and " +
              "oci_image_index do), or files among which is exactly one index.json; it provides %d file(s)%s.") % (
            ctx.label,
            ctx.attr.image.label,
            len(files),
            " with %d index.json" % len(index_files) if files else "",
        ))
    index = index_files[0]
    rlocation = _rlocation(ctx, index)
    return struct(
        files = depset(files, transitive = [linked]),
        path = index.dirname,
        rlocation = rlocation[:-len("/index.json")],
    )

def _stamping(ctx):
    if ctx.attr.stamp == 1:
        return True
    if ctx.attr.stamp == 0:
        return False
    return ctx.attr._stamp[StampSettingInfo].value

def _stamp_arguments(ctx):
    """--stamp-info lines and runfiles for stable-status.txt and volatile-status.txt, when stamping."""
    if not _stamping(ctx):
        return [], []
    lines = []
    for status in [ctx.info_file, ctx.version_file]:
        lines.append(_literal("--stamp-info"))
        lines.append(_runfile(_rlocation(ctx, status)))
    return lines, [ctx.info_file, ctx.version_file]

def _write_launcher(ctx, pusher, command, example_arguments, argument_lines):
    launcher = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.expand_template(
        template = ctx.file._launcher_template,
        output = launcher,
        is_executable = True,
        substitutions = {
            "{{ARGUMENTS}}": "\n".join(argument_lines),
            "{{COMMAND}}": command,
            "{{EXAMPLE_ARGUMENTS}}": example_arguments,
            "{{MARKER}}": _quote(_rlocation(ctx, pusher.binary)),
            "{{TARGET}}": str(ctx.label),
        },
    )
    return launcher

_STAMP_ATTRS = {
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

_LAUNCHER_ATTRS = {
    "_launcher_template": attr.label(
        default = Label("//bazel/private:launcher.sh.tpl"),
        allow_single_file = True,
    ),
}

# --- image_push ---------------------------------------------------------------------------------

def _repository(ctx):
    """The repository to push to: the attribute, else the prefix flag + image_name, else None."""
    if ctx.attr.repository and ctx.file.repository_file:
        fail("\n%s: set `repository` or `repository_file`, not both." % ctx.label)
    if ctx.file.repository_file:
        return None
    if ctx.attr.repository:
        error = repository_error(ctx.attr.repository)
        if error:
            _fail_for(ctx, "repository", ctx.attr.repository, error, REPOSITORY_RULE)
        return ctx.attr.repository
    prefix = ctx.attr._repository_prefix[RepositoryPrefixInfo].value
    if not prefix or not ctx.attr.image_name:
        return None
    repository = prefix + "/" + ctx.attr.image_name
    error = repository_error(repository)
    if error:
        _fail_for(
            ctx,
            "repository",
            repository,
            error + "; it is the repository prefix %s + '/' + the name %s: set `repository` explicitly" % (
                repr(prefix),
                repr(ctx.attr.image_name),
            ),
            REPOSITORY_RULE,
        )
    return repository

def _image_push_impl(ctx):
    pusher = resolve_registry_push(ctx)
    layout = _image_layout(ctx)
    repository = _repository(ctx)

    for tag in ctx.attr.image_tags:
        error = tag_error(tag)
        if error:
            _fail_for(ctx, "tag", tag, error, TAG_RULE)

    lines = [_runfile(_rlocation(ctx, pusher.binary)), _literal("push"), _runfile(layout.rlocation)]
    runfiles_files = []
    if repository:
        lines.append(_literal(repository))
    elif ctx.file.repository_file:
        lines.append(_runfile_first_line(_rlocation(ctx, ctx.file.repository_file)))
        runfiles_files.append(ctx.file.repository_file)
    else:
        # Nothing known at build time: the user must say where, at run time.
        lines.append("""if [[ " $* " != *" --repository "* && " $* " != *" --repository="* ]]; then
  _rp_fail "no repository to push to: set repository on the target, set the repository prefix" \\
    "(--@registry_push//bazel:repository_prefix=ghcr.io/OWNER in .bazelrc), or pass --repository HOST/PATH"
fi""")

    if ctx.attr.image_tags:
        tags_file = ctx.actions.declare_file(ctx.label.name + ".tags.txt")
        ctx.actions.write(tags_file, "\n".join(ctx.attr.image_tags) + "\n")
        lines.append(_literal("--tag-file"))
        lines.append(_runfile(_rlocation(ctx, tags_file)))
        runfiles_files.append(tags_file)
    if ctx.file.tag_file:
        lines.append(_literal("--tag-file"))
        lines.append(_runfile(_rlocation(ctx, ctx.file.tag_file)))
        runfiles_files.append(ctx.file.tag_file)
    if ctx.attr.ref:
        lines.append(_literal("--ref"))
        lines.append(_literal(ctx.attr.ref))

    stamp_lines, stamp_files = _stamp_arguments(ctx)
    lines.extend(stamp_lines)
    runfiles_files.extend(stamp_files)

    launcher = _write_launcher(ctx, pusher, "push", "--repository 127.0.0.1:5000/app --tag dev --digest-file out.txt", lines)

    # The digest of what will be pushed, known at build time. stdout (the digest again) is dropped
    # so that builds stay quiet.
    digest = ctx.actions.declare_file(ctx.label.name + ".digest")
    arguments = ctx.actions.args()
    arguments.add(pusher.binary)
    arguments.add("digest")
    arguments.add(layout.path)
    if ctx.attr.ref:
        arguments.add("--ref", ctx.attr.ref)
    arguments.add("--digest-file", digest)
    ctx.actions.run_shell(
        command = "\"$@\" >/dev/null",
        arguments = [arguments],
        inputs = layout.files,
        tools = [pusher.binary],
        outputs = [digest],
        mnemonic = "RegistryPushDigest",
        progress_message = "Computing the image digest for %s" % ctx.label,
    )

    runfiles = ctx.runfiles(
        files = [launcher] + runfiles_files,
        transitive_files = layout.files,
    ).merge(pusher.runfiles)

    return [
        DefaultInfo(
            executable = launcher,
            files = depset([launcher, digest]),
            runfiles = runfiles,
        ),
        OutputGroupInfo(digest = depset([digest])),
        ImagePushInfo(
            label = ctx.label,
            layout_files = layout.files,
            layout_path = layout.path,
            layout_rlocation = layout.rlocation,
            ref = ctx.attr.ref or None,
            repository = repository,
            repository_file = ctx.file.repository_file,
            tag_file = ctx.file.tag_file,
            tags = ctx.attr.image_tags,
        ),
    ]

image_push_rule = rule(
    implementation = _image_push_impl,
    executable = True,
    toolchains = [TOOLCHAIN_TYPE],
    doc = """Pushes one OCI image layout to a registry with registry-push when run.

Use the `image_push` macro from `@registry_push//bazel:defs.bzl`; it names this target
`<name>_image_push` and adds `<name>.digest`. Extra arguments of `bazel run` go to
`registry-push push`, e.g. `-- --repository 127.0.0.1:5000/app --tag dev --digest-file out.txt`.
The target's outputs are the launcher and `<target>.digest`, the digest of the manifest or index
that will be pushed (also in output group `digest`).
""",
    attrs = dict({
        "image": attr.label(
            doc = """The image: a target whose output is an OCI image layout directory, such as rules_oci's
`oci_image` or `oci_image_index`; or a set of files that holds one `index.json` (a checked-in layout).""",
            mandatory = True,
            allow_files = True,
        ),
        "image_name": attr.string(
            doc = "Last component of the default repository, `<repository_prefix>/<image_name>`; the macro sets it to `name`.",
        ),
        "image_tags": attr.string_list(
            doc = """Tags to push (the macro's `tags`). `{KEY}` placeholders are filled from workspace status
under `--stamp`; unfilled ones are skipped with a warning.""",
        ),
        "ref": attr.string(
            doc = "Which manifest of the layout's index.json to push, by its `org.opencontainers.image.ref.name` annotation. Default: the layout's only manifest, or the whole index.",
        ),
        "repository": attr.string(
            doc = "`HOST[:PORT]/PATH` to push to, e.g. `ghcr.io/owner/app`. Default: the repository prefix + `/` + `image_name`.",
        ),
        "repository_file": attr.label(
            doc = "A file whose first line is the repository; for repositories computed by another rule.",
            allow_single_file = True,
        ),
        "tag_file": attr.label(
            doc = "A file with more tags, one per line (blank lines ignored); may hold `{KEY}` placeholders.",
            allow_single_file = True,
        ),
        "_repository_prefix": attr.label(
            default = Label("//bazel:repository_prefix"),
            providers = [RepositoryPrefixInfo],
        ),
    }, **dict(_STAMP_ATTRS, **_LAUNCHER_ATTRS)),
)

# --- image_push_all -----------------------------------------------------------------------------

def _relative_to(directory_rlocation, rlocation):
    """Path from a runfiles directory to a runfile, through the runfiles root ('../../repo/pkg/x')."""
    depth = len(directory_rlocation.split("/"))
    return "../" * depth + rlocation

def _image_push_all_impl(ctx):
    pusher = resolve_registry_push(ctx)
    plan = ctx.actions.declare_file(ctx.label.name + ".plan.json")
    plan_directory = _rlocation(ctx, plan).rpartition("/")[0]

    images = []
    layout_files = []
    for push in ctx.attr.pushes:
        info = push[ImagePushInfo]
        if info.repository == None:
            fail(("\n%s: %s has no repository known at build time (repository_file, or neither repository nor " +
                  "a repository prefix); image_push_all needs one for every image.") % (ctx.label, info.label))
        if info.tag_file != None:
            fail("\n%s: %s uses tag_file, which image_push_all cannot read at build time; list its tags in `tags`." % (
                ctx.label,
                info.label,
            ))
        images.append({
            "layout": _relative_to(plan_directory, info.layout_rlocation),
            "ref": info.ref,
            "repository": info.repository,
            "tags": info.tags,
        })
        layout_files.append(info.layout_files)
    ctx.actions.write(plan, json.encode_indent({"images": images}, indent = "  ") + "\n")

    lines = [
        '[[ -n "$_rp_runfiles_dir" ]] || _rp_fail "image_push_all needs a runfiles directory; it does not work with --nobuild_runfile_links"',
        _runfile(_rlocation(ctx, pusher.binary)),
        _literal("push-all"),
        _runfile(_rlocation(ctx, plan)),
    ]
    stamp_lines, stamp_files = _stamp_arguments(ctx)
    lines.extend(stamp_lines)
    launcher = _write_launcher(ctx, pusher, "push-all", "--jobs 8 --dry-run", lines)

    runfiles = ctx.runfiles(
        files = [launcher, plan] + stamp_files,
        transitive_files = depset(transitive = layout_files),
    ).merge(pusher.runfiles)
    return [
        DefaultInfo(
            executable = launcher,
            files = depset([launcher, plan]),
            runfiles = runfiles,
        ),
    ]

image_push_all_rule = rule(
    implementation = _image_push_all_impl,
    executable = True,
    toolchains = [TOOLCHAIN_TYPE],
    doc = """Pushes the images of several image_push targets in one registry-push process.

One `registry-push push-all` run shares its upload concurrency across all images, uploads each blob
once per repository and mounts blobs across repositories of the same registry. Extra arguments of
`bazel run` go to `registry-push push-all` (e.g. `--jobs 8`, `--dry-run`).
""",
    attrs = dict({
        "pushes": attr.label_list(
            doc = "image_push targets (`:<name>_image_push`) to push together; each needs a repository known at build time and no tag_file.",
            mandatory = True,
            allow_empty = False,
            providers = [ImagePushInfo],
        ),
    }, **dict(_STAMP_ATTRS, **_LAUNCHER_ATTRS)),
)
