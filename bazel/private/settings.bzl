"""Build settings: the repository prefix flag and stamp detection.

Both are plain Starlark build settings and config_setting-driven rules, so they load in
Bazel 4.2.3 as well as in Bazel 7/8, without bazel_skylib.
"""

load(":providers.bzl", "RepositoryPrefixInfo", "StampSettingInfo")
load(":reference.bzl", "host_error", "path_component_error")

def prefix_error(prefix):
    """Checks a repository prefix: `HOST[:PORT]` optionally followed by `/PATH`.

    Args:
      prefix: e.g. `ghcr.io/albeorla`.

    Returns:
      None when valid, otherwise the reason.
    """
    elements = prefix.split("/")
    error = host_error(elements[0])
    if error:
        return error
    if "." not in elements[0] and ":" not in elements[0] and elements[0] != "localhost" and not elements[0].startswith("["):
        return "'%s' does not start with a registry host such as ghcr.io" % prefix
    for component in elements[1:]:
        error = path_component_error(component)
        if error:
            return error
    return None

def _repository_prefix_impl(ctx):
    value = ctx.build_setting_value.strip().rstrip("/")
    if value:
        error = prefix_error(value)
        if error:
            fail("--%s=%s is not a valid repository prefix: %s.\nExpected HOST[:PORT][/PATH], e.g. ghcr.io/albeorla." % (
                ctx.label,
                ctx.build_setting_value,
                error,
            ))
    return [RepositoryPrefixInfo(value = value)]

repository_prefix_flag = rule(
    implementation = _repository_prefix_impl,
    build_setting = config.string(flag = True),
    doc = "A string flag holding the registry and owner that image_push puts before a target's name.",
)

def _stamp_setting_impl(ctx):
    return [StampSettingInfo(value = ctx.attr.value)]

stamp_setting = rule(
    implementation = _stamp_setting_impl,
    attrs = {
        "value": attr.bool(doc = "Whether --stamp is on; set with a select() on a config_setting."),
    },
    doc = "Exposes --stamp to rules (there is no ctx API for it shared by Bazel 4 and 8).",
)
