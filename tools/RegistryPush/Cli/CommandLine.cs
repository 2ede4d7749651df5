using System.CommandLine;

namespace RegistryPush.Cli;

/// <summary>The command-line grammar (see docs/cli.md); the behaviour lives in the command classes.</summary>
internal static class CommandLine
{
    private const int MaxJobs = 64;
    private const long MinChunkBytes = 64 * 1024;
    private const int MaxTimeoutSeconds = 3600;

    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Trace every registry request (secrets and query values redacted)." };
    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only errors and warnings on stderr." };
    public static readonly Option<bool> Insecure = new("--insecure") { Description = "Allow plain HTTP and unverified TLS for non-loopback registries." };
    public static readonly Option<bool> Json = new("--json") { Description = "Print one JSON result document on stdout instead of the REPOSITORY@DIGEST line." };
    public static readonly Option<bool> DryRun = new("--dry-run") { Description = "Validate and check what the registry lacks; write nothing." };
    public static readonly Option<int> Jobs = NumberOption.Whole("--jobs", ["-j"], 1, MaxJobs, Registry.PushOptions.DefaultJobs, "Large blobs (over 256 KiB) uploaded at once; checks, mounts, small blobs, manifests and tags use their own lane of 16.");
    public static readonly Option<string[]> StampInfo = new("--stamp-info") { Description = "A workspace-status file (KEY value lines) filling {KEY} in tags. Repeatable." };
    public static readonly Option<string?> Ref = new("--ref") { Description = "Which index.json entry to push (its org.opencontainers.image.ref.name)." };
    public static readonly Option<string?> DigestFile = new("--digest-file") { Description = "Write the pushed digest (sha256:…) to this file." };
    public static readonly Option<bool> Chunked = new("--chunked") { Description = "Upload blobs in PATCH chunks instead of one PUT each." };
    public static readonly Option<long> ChunkSize = NumberOption.AtLeast("--chunk-size", MinChunkBytes, Registry.Uploads.UploadOptions.DefaultMaxChunkBytes, "bytes", "Largest chunk in bytes for chunked uploads (GHCR refuses more than 4 MiB).");

    public static readonly Option<int> Retries = NumberOption.Whole("--retries", [], 0, Registry.Resilience.RetrySettings.MaxMaxRetries, Registry.Resilience.RetrySettings.DefaultMaxRetries, "Retries of a failed request or blob upload (408, 429, 5xx, resets, stalls), with exponential backoff (0 to 20).");
    public static readonly Option<int> Timeout = NumberOption.Whole("--timeout", [], 1, MaxTimeoutSeconds, Registry.Resilience.RetrySettings.DefaultStallTimeoutSeconds, "Seconds a request may make no progress before it is abandoned and retried; not a limit on a long upload that keeps moving.");
    public static readonly Option<bool> AllowNonDistributable = new("--allow-nondistributable-artifacts") { Description = "Upload non-distributable (foreign) layers the layout holds; by default they are never uploaded, as the image spec asks." };
    public static readonly Option<bool> Verify = new("--verify") { Description = "Hash every blob file before sending it, and confirm each uploaded blob with a HEAD before any tag moves." };

    public static readonly Argument<string> Layout = new("LAYOUT") { Description = "An OCI image layout directory (oci-layout, index.json, blobs/)." };
    public static readonly Argument<string?> Repository = new("REPOSITORY") { Description = "HOST[:PORT]/PATH, e.g. ghcr.io/owner/app.", Arity = ArgumentArity.ZeroOrOne };
    public static readonly Option<string?> RepositoryOption = new("--repository") { Description = "The repository; overrides the REPOSITORY argument (for launchers that append arguments)." };
    public static readonly Option<string[]> Tags = new("--tag", "-t") { Description = "A tag to point at the pushed image. Repeatable. May hold {KEY} stamp placeholders." };
    public static readonly Option<string[]> TagFiles = new("--tag-file") { Description = "A file with one tag per line. Repeatable." };
    public static readonly Argument<string> Plan = new("PLAN") { Description = "A JSON plan: {\"images\":[{\"layout\":…,\"repository\":…,\"tags\":[…]}]}." };
    public static readonly Option<string?> Username = new("--username", "-u") { Description = "The registry user; the password or token is read from standard input (--password-stdin). See docs/authentication.md." };
    public static readonly Option<bool> PasswordStdin = new("--password-stdin") { Description = "Read the password or token for --username from standard input." };
    public static readonly Argument<string> AuthRepository = new("REPOSITORY") { Description = "HOST[:PORT]/PATH to check, e.g. ghcr.io/owner/app." };

    public static RootCommand Build(RunContext context)
    {
        var push = new Command("push", "Push an OCI image layout to a repository; tags move last.")
        {
            Layout, Repository, RepositoryOption, Tags, TagFiles, StampInfo, Ref, DigestFile, Jobs, Insecure, Json, DryRun, Chunked, ChunkSize, Retries, Timeout, Verify, AllowNonDistributable, Verbose, Quiet, Username, PasswordStdin,
        };
        push.SetAction(async (result, token) =>
        {
            using var command = new PushCommand(context, result);
            return await command.RunSingleAsync(token).ConfigureAwait(false);
        });

        var pushAll = new Command("push-all", "Push several images in one run: shared connections and concurrency, each blob sent once per registry.")
        {
            Plan, StampInfo, Jobs, Insecure, Json, DryRun, Chunked, ChunkSize, Retries, Timeout, Verify, AllowNonDistributable, Verbose, Quiet, Username, PasswordStdin,
        };
        pushAll.SetAction(async (result, token) =>
        {
            using var command = new PushCommand(context, result);
            return await command.RunPlanAsync(token).ConfigureAwait(false);
        });

        var digest = new Command("digest", "Print the digest the image would have in a registry (computed from the layout, offline).")
        {
            Layout, Ref, DigestFile,
        };
        digest.SetAction(result => DigestCommand.Run(context, result));

        var authCheck = new Command("check", "Show which credential source answers for a repository and whether the registry grants push (nothing is written).")
        {
            AuthRepository, Username, PasswordStdin, Insecure, Retries, Timeout, Verbose,
        };
        authCheck.SetAction((result, token) => new AuthCheckCommand(context, result).RunAsync(token));
        var auth = new Command("auth", "Authentication: check credentials and permissions.") { authCheck };

        var version = new Command("version", "Print the version.");
        version.SetAction(_ =>
        {
            context.Out.WriteLine($"registry-push {AppInfo.Version}");
            return ExitCodes.Success;
        });

        var root = new RootCommand("registry-push: push OCI image layouts to container registries (ghcr.io, Docker Hub, any OCI registry).")
        {
            push, pushAll, digest, auth, version,
        };
        return HelpExamples.Attach(root, context);
    }

    /// <summary>The retry and stall-timeout settings of <c>--retries</c> and <c>--timeout</c> (validated while parsing).</summary>
    public static Registry.Resilience.RetrySettings RetrySettings(ParseResult result) =>
        new() { MaxRetries = result.GetValue(Retries), StallTimeout = TimeSpan.FromSeconds(result.GetValue(Timeout)) };

    /// <summary>How blobs travel: <c>--chunked</c>, <c>--chunk-size</c>, <c>--retries</c>, <c>--timeout</c>, <c>--verify</c>.</summary>
    public static Registry.Uploads.UploadOptions UploadOptions(ParseResult result) =>
        new(result.GetValue(ChunkSize), result.GetValue(Chunked)) { Retry = RetrySettings(result), Verify = result.GetValue(Verify) };
}
