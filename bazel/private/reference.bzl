"""Analysis-time checks of repository names and tags against the OCI distribution grammar.

Starlark has no regular expressions, so the grammar is checked by scanning characters. The rules
mirror the pusher's own checks (tools/RegistryPush/References/), so a target that analyzes
cleanly is not refused later for its name:

    repository    := host ['/' component]*  with at least one component
    host          := domain-component ('.' domain-component)* [':' port] | '[' ipv6 ']' [':' port]
    component     := [a-z0-9]+ ((\\.|_|__|-+) [a-z0-9]+)*
    tag           := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}   where '{KEY}' placeholders may stand anywhere

The first path element is the registry host: it contains '.' or ':', or is 'localhost'.
Each check returns None when the value is fine, or a sentence explaining what is wrong.
"""

_DIGITS = "0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER_ALNUM = _LOWER + _DIGITS
_ALNUM = _LOWER + _UPPER + _DIGITS
_WORD = _ALNUM + "_"
_HEX = _DIGITS + "abcdefABCDEF"

_MAX_REPOSITORY_LENGTH = 255
_MAX_TAG_LENGTH = 128

REPOSITORY_RULE = (
    "a repository is HOST[:PORT]/PATH, e.g. ghcr.io/owner/app or 127.0.0.1:5000/app: " +
    "PATH is lowercase letters and digits in '/'-separated components, joined inside a component by " +
    "'.', '_', '__' or '-'; no tag (':tag'), digest ('@sha256:...') or scheme ('https://')"
)

TAG_RULE = (
    "a tag is 1 to 128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'; " +
    "'{KEY}' placeholders (e.g. {BUILD_EMBED_LABEL}) are filled from workspace status under --stamp"
)

def _only(value, allowed):
    for i in range(len(value)):
        if value[i] not in allowed:
            return False
    return True

def _looks_like_host(element):
    return "." in element or ":" in element or element.startswith("[") or element == "localhost"

def _domain_component_error(label):
    if not label:
        return "an empty name between dots"
    if not _only(label, _ALNUM + "-"):
        return "'%s' may hold only letters, digits and '-'" % label
    if label.startswith("-") or label.endswith("-"):
        return "'%s' must not start or end with '-'" % label
    return None

def host_error(host):
    """Checks a registry host such as `ghcr.io`, `127.0.0.1:5000` or `[::1]:5000`.

    Args:
      host: the first element of a repository.

    Returns:
      None when valid, otherwise the reason.
    """
    name = host
    port = None
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return "'%s' opens '[' without closing it" % host
        address = host[1:end]
        if not address or not _only(address, _HEX + ":"):
            return "'%s' is not a bracketed IPv6 address" % host
        rest = host[end + 1:]
        if rest:
            if not rest.startswith(":"):
                return "'%s' has text after ']' that is not ':PORT'" % host
            port = rest[1:]
    else:
        if ":" in host:
            name, _, port = host.partition(":")
        for label in name.split("."):
            error = _domain_component_error(label)
            if error:
                return "host '%s': %s" % (host, error)
    if port != None and (not port or not _only(port, _DIGITS)):
        return "the port of '%s' must be digits" % host
    return None

def path_component_error(component):
    """Checks one '/'-separated path component of a repository.

    Args:
      component: e.g. `hello_python`.

    Returns:
      None when valid, otherwise the reason.
    """
    if not component:
        return "it has an empty path component (a doubled, leading or trailing '/')"
    separator = ""
    for i in range(len(component)):
        char = component[i]
        if char in _LOWER_ALNUM:
            if separator and separator not in (".", "_", "__") and not _only(separator, "-"):
                return "'%s' joins words with '%s'; use one of '.', '_', '__' or '-'" % (component, separator)
            separator = ""
        elif char in "._-":
            if i == 0:
                return "'%s' starts with '%s'; components start with a lowercase letter or digit" % (component, char)
            separator += char
        elif char in _UPPER:
            return "'%s' has uppercase letters; registries such as ghcr.io accept lowercase only" % component
        else:
            return "'%s' contains '%s', which a repository name may not hold" % (component, char)
    if separator:
        return "'%s' ends with '%s'; components end with a lowercase letter or digit" % (component, separator)
    return None

def repository_error(repository):
    """Checks a full repository name (`HOST[:PORT]/PATH`, no tag or digest).

    Args:
      repository: e.g. `ghcr.io/albeorla/hello_python`.

    Returns:
      None when valid, otherwise the reason.
    """
    if not repository:
        return "it is empty"
    if "://" in repository:
        return "it has a scheme; drop '%s'" % repository[:repository.find("://") + 3]
    if "@" in repository:
        return "it has a digest; the digest comes from the image"
    if len(repository) > _MAX_REPOSITORY_LENGTH:
        return "it is longer than %d characters" % _MAX_REPOSITORY_LENGTH
    elements = repository.split("/")
    if len(elements) < 2 or not _looks_like_host(elements[0]):
        return "it has no registry host; write HOST/PATH, e.g. ghcr.io/%s" % repository.lower()
    error = host_error(elements[0])
    if error:
        return error
    last = elements[-1]
    if ":" in last:
        return "it ends with a tag (':%s'); put tags in `tags`" % last.partition(":")[2]
    for component in elements[1:]:
        error = path_component_error(component)
        if error:
            if component.lower() != component:
                return error + " (did you mean '%s'?)" % repository.lower()
            return error
    return None

def placeholder_keys(tag):
    """Returns the `{KEY}` placeholder names in a tag, in order.

    Args:
      tag: e.g. `v{BUILD_EMBED_LABEL}`.

    Returns:
      A list of keys; empty for a literal tag.
    """
    keys = []
    rest = tag
    for _ in range(len(tag)):
        start = rest.find("{")
        if start < 0:
            break
        end = rest.find("}", start)
        if end < 0:
            break
        keys.append(rest[start + 1:end])
        rest = rest[end + 1:]
    return keys

def tag_error(tag):
    """Checks a tag; `{KEY}` placeholders are allowed and checked as names.

    Args:
      tag: e.g. `latest`, `1.2.3` or `{STABLE_GIT_COMMIT}`.

    Returns:
      None when valid, otherwise the reason.
    """
    if not tag:
        return "it is empty"

    # Replace each well-formed placeholder by one word character; what is left must be a tag.
    literal = ""
    rest = tag
    for _ in range(len(tag)):
        start = rest.find("{")
        close = rest.find("}")
        if start < 0:
            if close >= 0:
                return "'}' without a matching '{'"
            literal += rest
            break
        if close >= 0 and close < start:
            return "'}' without a matching '{'"
        end = rest.find("}", start)
        if end < 0:
            return "'{' without a matching '}'"
        key = rest[start + 1:end]
        if not key or not _only(key, _WORD):
            return "placeholder '{%s}' must name a workspace status key (letters, digits, '_')" % key
        literal += rest[:start] + "_"
        rest = rest[end + 1:]

    if literal[0] in ".-":
        return "it starts with '%s'" % literal[0]
    for i in range(len(literal)):
        if literal[i] not in _WORD + ".-":
            return "it contains '%s'" % literal[i]
    if len(literal) > _MAX_TAG_LENGTH:
        return "it is longer than %d characters" % _MAX_TAG_LENGTH
    return None
