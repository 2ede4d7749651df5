namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// Decides what a test does when a real part it needs (a container engine, skopeo, Bazel) is missing: skip with the
/// reason on a developer machine, fail in CI, where every integration test must run for real.
/// </summary>
public static class TestEnvironment
{
    /// <summary>True under CI (<c>CI=true</c>).</summary>
    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    /// <summary>Skips (locally) or fails (in CI) unless <paramref name="available"/>.</summary>
    public static void Require(bool available, string reason)
    {
        if (available)
        {
            return;
        }

        if (IsCi)
        {
            Assert.Fail($"{reason} — CI must run every integration test; fix the environment set-up (scripts/test-env/setup.sh)");
        }

        Assert.Skip(reason);
    }

    /// <summary>True when <paramref name="program"/> is on PATH.</summary>
    public static bool HasProgram(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));

    /// <summary>Requires <paramref name="program"/> on PATH.</summary>
    public static void RequireProgram(string program) =>
        Require(HasProgram(program), $"'{program}' is not installed (scripts/test-env/setup.sh installs it)");
}
