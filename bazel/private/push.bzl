"""Rules behind image_push and image_push_all: launchers that run registry-push on OCI image layouts."""

load(
    ":launcher.bzl",
    "LAUNCHER_ATTRS",
    "STAMP_ATTRS",
    "literal",
    "runfile",
    "runfile_first_line",
    "stamp_arguments",
    "write_launcher",
)
load(":layout.bzl", "image_layout")
load(":providers.bzl", "ImagePushInfo", "RepositoryPrefixInfo")
load(":reference.bzl", "REPOSITORY_RULE", "TAG_RULE", "repository_error", "tag_error")
load(":runfiles.bzl", "relative_to", "rlocation")
load(":toolchain.bzl", "TOOLCHAIN_TYPE", "resolve_registry_push")

def _fail_for(ctx, attribute, value, reason, rule):
    fail("\n%s: %s %s is invalid: %s.\n  Rule: %s." % (ctx.label, attribute, repr(value), reason, rule))

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
    layout = image_layout(ctx)
    repository = _repository(ctx)

    for tag in ctx.attr.image_tags:
        error = tag_error(tag)
        if error:
            _fail_for(ctx, "tag", tag, error, TAG_RULE)

    arguments = [runfile(rlocation(ctx, pusher.binary)), literal("push"), runfile(layout.rlocation)]
    runfiles_files = []
    if repository:
        arguments.append(literal(repository))
    elif ctx.file.repository_file:
        arguments.append(runfile_first_line(rlocation(ctx, ctx.file.repository_file)))
        runfiles_files.append(ctx.file.repository_file)

    if ctx.attr.image_tags:
        tags_file = ctx.actions.declare_file(ctx.label.name + ".tags.txt")
        ctx.actions.write(tags_file, "\n".join(ctx.attr.image_tags) + "\n")
        arguments.extend([literal("--tag-file"), runfile(rlocation(ctx, tags_file))])
        runfiles_files.append(tags_file)
    if ctx.file.tag_file:
        arguments.extend([literal("--tag-file"), runfile(rlocation(ctx, ctx.file.tag_file))])
        runfiles_files.append(ctx.file.tag_file)
    if ctx.attr.ref:
        arguments.extend([literal("--ref"), literal(ctx.attr.ref)])

    stamp_args, stamp_files = stamp_arguments(ctx)
    arguments.extend(stamp_args)
    runfiles_files.extend(stamp_files)

    launcher = write_launcher(
        ctx,
        pusher,
        command = "push",
        example_arguments = "--repository 127.0.0.1:5000/app --tag dev --digest-file out.txt",
        arguments = arguments,
        # Nothing known at build time: the user must say where, at run time.
        repository_from_arguments = not repository and not ctx.file.repository_file,
    )

    # The digest of what will be pushed, known at build time. stdout (the digest again) is dropped
    # so that builds stay quiet.
    digest = ctx.actions.declare_file(ctx.label.name + ".digest")
    digest_arguments = ctx.actions.args()
    digest_arguments.add(pusher.binary)
    digest_arguments.add("digest")
    digest_arguments.add(layout.path)
    if ctx.attr.ref:
        digest_arguments.add("--ref", ctx.attr.ref)
    digest_arguments.add("--digest-file", digest)
    ctx.actions.run_shell(
        command = "\"$@\" >/dev/null",
        arguments = [digest_arguments],
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
    }, **dict(STAMP_ATTRS, **LAUNCHER_ATTRS)),
)

# --- image_push_all -----------------------------------------------------------------------------

def _image_push_all_impl(ctx):
    pusher = resolve_registry_push(ctx)
    plan = ctx.actions.declare_file(ctx.label.name + ".plan.json")
    plan_directory = rlocation(ctx, plan).rpartition("/")[0]

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
            "layout": relative_to(plan_directory, info.layout_rlocation),
            "ref": info.ref,
            "repository": info.repository,
            "tags": info.tags,
        })
        layout_files.append(info.layout_files)
    ctx.actions.write(plan, json.encode_indent({"images": images}, indent = "  ") + "\n")

    arguments = [runfile(rlocation(ctx, pusher.binary)), literal("push-all"), runfile(rlocation(ctx, plan))]
    stamp_args, stamp_files = stamp_arguments(ctx)
    arguments.extend(stamp_args)
    launcher = write_launcher(
        ctx,
        pusher,
        command = "push-all",
        example_arguments = "--jobs 8 --dry-run",
        arguments = arguments,
        # The plan names its layouts by paths relative to itself: they resolve in a directory tree only.
        runfiles_dir_required_by = "image_push_all",
    )

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
    }, **dict(STAMP_ATTRS, **LAUNCHER_ATTRS)),
)
