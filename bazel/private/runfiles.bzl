"""Runfiles paths: how a launcher finds the files a target carries, from any runfiles tree or manifest."""

def rlocation(ctx, file):
    """The runfiles path of a file: 'repository/package/name', as the launcher looks it up.

    Args:
      ctx: the rule context.
      file: a File in the target's runfiles.

    Returns:
      The path, starting with the name of the file's repository.
    """
    if file.short_path.startswith("../"):
        return file.short_path[len("../"):]
    return ctx.workspace_name + "/" + file.short_path

def relative_to(directory_rlocation, rlocation_path):
    """Path from a runfiles directory to a runfile, through the runfiles root ('../../repo/pkg/x').

    Args:
      directory_rlocation: runfiles path of the directory the result is relative to.
      rlocation_path: runfiles path of the file.

    Returns:
      The relative path.
    """
    depth = len(directory_rlocation.split("/"))
    return "../" * depth + rlocation_path
