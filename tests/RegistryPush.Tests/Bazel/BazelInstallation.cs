namespace RegistryPush.Tests.Bazel;

/// <summary>
/// Which Bazel runs a workspace, and how to call it. Two are tested: Bazel 7.7.1 with bzlmod, what users run, from
/// Debian's unstable suite in a chroot (scripts/test-env/sid-chroot.sh, since it needs a newer libc than this Debian 12
/// machine has); and Debian 12's own Bazel 4.2.3 on the host, the oldest Bazel supported (WORKSPACE).
/// </summary>
/// <param name="Name">For messages, e.g. "Bazel 7.7.1".</param>
/// <param name="Program">The program to start.</param>
/// <param name="PrefixArguments">Arguments before Bazel's own (the chroot runner's).</param>
/// <param name="ExtraOptions">Options this installation needs on every build-like command.</param>
/// <param name="Environment">Environment variables the program needs.</param>
/// <param name="Unavailable">Why it cannot run here, or null.</param>
public sealed record BazelInstallation(
    string Name,
    string Program,
    IReadOnlyList<string> PrefixArguments,
    IReadOnlyList<string> ExtraOptions,
    IReadOnlyDictionary<string, string?> Environment,
    string? Unavailable)
{
    /// <summary>
    /// Options every build-like command gets: no symlinks in the tree, quiet output. Not <c>--nosandbox_debug</c>:
    /// the repository's .bazelrc turns off what Debian's bazelrc turns on, and a test checks that it does.
    /// </summary>
    public static readonly IReadOnlyList<string> QuietOptions =
        ["--symlink_prefix=/", "--noshow_progress", "--curses=no", "--color=no"];

    /// <summary>
    /// Bazel 4.2.3 on the host, with local stand-ins (tests/bazel/offline) for the three repositories it would
    /// download. Debian's <c>bazel</c> is a wrapper that picks the Bazel named by the repository's .bazelversion
    /// (7.7.1, for users); <c>USE_BAZEL_VERSION=4</c> picks its own <c>bazel-4</c> instead.
    /// </summary>
    public static BazelInstallation Host(string repositoryRoot)
    {
        var offline = Path.Combine(repositoryRoot, "tests", "bazel", "offline");
        return new BazelInstallation(
            "Bazel 4.2.3",
            "bazel",
            [],
            [
                $"--override_repository=rules_cc={Path.Combine(offline, "rules_cc")}",
                $"--override_repository=rules_java={Path.Combine(offline, "rules_java")}",
                $"--override_repository=remote_coverage_tools={Path.Combine(offline, "remote_coverage_tools")}",
            ],
            new Dictionary<string, string?> { ["USE_BAZEL_VERSION"] = "4" },
            Infrastructure.TestEnvironment.HasProgram("bazel")
                ? null
                : "'bazel' is not installed (scripts/test-env/setup.sh installs Debian's bazel-bootstrap)");
    }

    /// <summary>
    /// Bazel 7.7.1 in the sid chroot. The chroot sees this machine's /tmp and the repository at the same paths, so
    /// workspaces and output bases under /tmp work unchanged; its /etc/bazel.bazelrc makes every module come from
    /// Debian's packages.
    /// </summary>
    public static BazelInstallation Sid(string repositoryRoot) => Sid(repositoryRoot, withDotnet: true);

    /// <summary>
    /// Bazel 7.7.1 in the sid chroot, as on a machine without the .NET SDK when <paramref name="withDotnet"/> is false
    /// (the chroot's mount namespace then has no SDK and no NuGet folder).
    /// </summary>
    public static BazelInstallation Sid(string repositoryRoot, bool withDotnet)
    {
        var root = System.Environment.GetEnvironmentVariable("REGISTRY_PUSH_SID_ROOT") is { Length: > 0 } configured
            ? configured
            : "/var/lib/registry-push/sid";
        var ready = File.Exists(Path.Combine(root, "etc", "registry-push-chroot"));
        return new BazelInstallation(
            withDotnet ? "Bazel 7.7.1" : "Bazel 7.7.1 without .NET",
            "bash",
            [Path.Combine(repositoryRoot, "scripts", "test-env", "sid-chroot.sh"), "run", "bazel"],
            [],
            new Dictionary<string, string?> { ["REGISTRY_PUSH_CHROOT_NO_DOTNET"] = withDotnet ? null : "1" },
            ready ? null : $"no Bazel 7.7.1 chroot at {root} (scripts/test-env/sid-chroot.sh setup makes it)");
    }

    /// <summary>This repository's root and the installation <paramref name="pick"/> makes for it, or why either is missing.</summary>
    public static (string Root, BazelInstallation Installation, string? Unavailable) Locate(Func<string, BazelInstallation> pick)
    {
        var root = BazelWorkspace.FindRepositoryRoot();
        if (root is null)
        {
            return (string.Empty, pick(string.Empty), "cannot find the repository root (MODULE.bazel) above the test assembly");
        }

        var installation = pick(root);
        return (root, installation, installation.Unavailable);
    }

    /// <summary>As <see cref="Locate"/>, for a test: skips (locally) or fails (CI) when something is missing.</summary>
    public static (string Root, BazelInstallation Installation) Require(Func<string, BazelInstallation> pick)
    {
        var (root, installation, unavailable) = Locate(pick);
        Infrastructure.TestEnvironment.Require(unavailable is null, unavailable ?? string.Empty);
        return (root, installation);
    }
}
