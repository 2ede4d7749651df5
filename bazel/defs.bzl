"""Public API of RegistryPush's Bazel rules: push OCI image layouts to registries such as ghcr.io.

    load("@registry_push//bazel:defs.bzl", "image_push", "image_push_all")

Loads in Bazel 4.2.3 and in Bazel 7/8 (WORKSPACE or MODULE.bazel); see docs/bazel.md.
Implementation lives in bazel/private/ and may change; only the symbols below are the API.
"""

load("//bazel/private:providers.bzl", _ImagePushInfo = "ImagePushInfo")
load("//bazel/private:push.bzl", "image_push_all_rule", "image_push_rule")
load("//bazel/private:toolchain.bzl", _registry_push_toolchain = "registry_push_toolchain")

ImagePushInfo = _ImagePushInfo
registry_push_toolchain = _registry_push_toolchain

# Attributes common to all rules that describe the target rather than the push; given to every
# target the macros create.
_COMMON = ["visibility", "testonly", "deprecation", "compatible_with", "target_compatible_with", "restricted_to", "features"]

def _common(kwargs):
    return {key: kwargs[key] for key in _COMMON if key in kwargs}

def image_push(
        name,
        image,
        repository = None,
        tags = [],
        tag_file = None,
        repository_file = None,
        ref = None,
        stamp = -1,
        target_tags = [],
        **kwargs):
    """Generates `<name>_image_push`, an executable target that pushes `image`, and `<name>.digest`.

    `bazel run //pkg:<name>_image_push` pushes the image and prints `REPOSITORY@DIGEST` as the last
    line of stdout. Arguments after `--` pass through to `registry-push push`:
    `--repository R` and `--tag T` add to or override the BUILD values at run time.

    `bazel build //pkg:<name>.digest` writes the digest that will be pushed (`sha256:...`), computed
    from the layout without touching a registry.

    Args:
      name: Base name: the targets are `<name>_image_push` and `<name>.digest`; also the last
        component of the default repository.
      image: A target whose output is an OCI image layout directory, e.g. rules_oci's `oci_image`
        or `oci_image_index`.
      repository: `HOST[:PORT]/PATH` such as `ghcr.io/owner/app`; lowercase, no tag or digest.
        Default: `<repository_prefix>/<name>`, with the prefix from the
        `@registry_push//bazel:repository_prefix` flag (set it once in `.bazelrc`).
      tags: Tags to apply once everything is pushed. `{KEY}` placeholders, e.g. `{BUILD_EMBED_LABEL}`
        or `{STABLE_GIT_COMMIT}`, are filled from workspace status when stamping; a tag whose
        placeholders cannot be filled is skipped with a warning. Empty: push by digest only.
      tag_file: Label of a file with more tags, one per line.
      repository_file: Label of a file whose first line is the repository (instead of `repository`).
      ref: Push only the manifest whose `org.opencontainers.image.ref.name` in index.json is `ref`.
      stamp: `1` stamp always, `0` never, `-1` (default) follow `--stamp`.
      target_tags: Bazel tags for the generated targets (e.g. `["manual"]`); `tags` are image tags.
      **kwargs: Common attributes (`visibility`, `testonly`, `target_compatible_with`, ...) given to
        every generated target; others go to the push target only.
    """
    push_name = name + "_image_push"
    image_push_rule(
        name = push_name,
        image = image,
        image_name = name,
        image_tags = tags,
        ref = ref,
        repository = repository,
        repository_file = repository_file,
        stamp = stamp,
        tag_file = tag_file,
        tags = target_tags,
        **kwargs
    )
    native.filegroup(
        name = name + ".digest",
        srcs = [":" + push_name],
        output_group = "digest",
        tags = target_tags,
        **_common(kwargs)
    )

def image_push_all(name, pushes, stamp = -1, **kwargs):
    """Generates `<name>`, an executable target that pushes several images in one pusher process.

    `bazel run //pkg:<name>` runs `registry-push push-all` once for all `pushes`: uploads share one
    concurrency limit, each blob goes up once per repository, and blobs are mounted across
    repositories of one registry. Prints one `REPOSITORY@DIGEST` line per image on stdout.

    Args:
      name: Name of the generated target.
      pushes: `image_push` targets (`//pkg:<name>_image_push`). Each must have its repository known
        at build time (`repository` or the prefix) and its tags in `tags` (not `tag_file`).
      stamp: `1` stamp always, `0` never, `-1` (default) follow `--stamp`.
      **kwargs: Common attributes such as `visibility`, `tags` (Bazel tags) and `testonly`.
    """
    image_push_all_rule(
        name = name,
        pushes = pushes,
        stamp = stamp,
        **kwargs
    )
