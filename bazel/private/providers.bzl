"""Providers shared by the push rules and the toolchain."""

ImagePushInfo = provider(
    doc = "What an image_push target pushes; image_push_all reads it to push many images in one process.",
    fields = {
        "label": "Label of the image_push target.",
        "layout_files": "depset of the files that make up the OCI image layout, and of those its symlinks point at.",
        "layout_path": "Execution-root-relative path of the layout directory (for build actions).",
        "layout_rlocation": "Runfiles path of the layout directory ('repository/package/dir').",
        "ref": "Value for --ref (an org.opencontainers.image.ref.name in index.json), or None.",
        "repository": "The repository to push to, or None when repository_file is used.",
        "repository_file": "File whose first line is the repository, or None.",
        "tag_file": "File with a user's extra tags, one per line (the tag_file attribute), or None.",
        "tags": "List of tags as written in BUILD; may hold {KEY} placeholders.",
    },
)

StampSettingInfo = provider(
    doc = "Whether this build is stamped (--stamp).",
    fields = {"value": "True when --stamp is on."},
)

RepositoryPrefixInfo = provider(
    doc = "Value of the //bazel:repository_prefix flag.",
    fields = {"value": "HOST[/PATH] prefix for default repositories, or the empty string."},
)
