"""Finding the OCI image layout that an image_push target's `image` provides."""

load(":runfiles.bzl", "rlocation")

def image_layout(ctx):
    """Finds the OCI image layout in `ctx.attr.image`: one directory, or a set of files holding index.json.

    Args:
      ctx: the context of a rule with an `image` attribute that allows files.

    Returns:
      struct(files = depset of the layout and what its symlinks point at, path = its execution-root-relative
      directory, rlocation = the directory's runfiles path).
    """
    files = ctx.files.image

    # What the layout's files point at: rules_oci's layer blobs are relative symlinks to files outside
    # the layout directory, which oci_image carries as runfiles. Without them a push target is not whole
    # (e.g. under --remote_download_toplevel, or in a runfiles tree copied elsewhere).
    linked = ctx.attr.image[DefaultInfo].default_runfiles.files
    if len(files) == 1 and files[0].is_directory:
        return struct(
            files = depset(files, transitive = [linked]),
            path = files[0].path,
            rlocation = rlocation(ctx, files[0]),
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
    return struct(
        files = depset(files, transitive = [linked]),
        path = index.dirname,
        rlocation = rlocation(ctx, index)[:-len("/index.json")],
    )
