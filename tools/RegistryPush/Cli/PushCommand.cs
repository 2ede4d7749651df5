using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RegistryPush.Oci;
using RegistryPush.Output;
using RegistryPush.References;
using RegistryPush.Registry;

namespace RegistryPush.Cli;

/// <summary>
/// <c>push</c> and <c>push-all</c>: validate everything first (the only requests before that are questions: what the
/// tags name now, asked while the layouts are read), then push, then report.
/// </summary>
internal sealed class PushCommand(RunContext context, ParseResult result) : IDisposable
{
    private readonly ConsoleReporter _reporter = new(
        context.Error,
        result.GetValue(CommandLine.Verbose),
        result.GetValue(CommandLine.Quiet),
        ConsoleReporter.ChooseMode(context.ErrorIsTerminal, context.GetEnvironmentVariable));

    /// <summary>Stops live progress and clears its lines.</summary>
    public void Dispose() => _reporter.Dispose();

    public Task<int> RunSingleAsync(CancellationToken cancellationToken)
    {
        var repositoryText = result.GetValue(CommandLine.RepositoryOption) ?? result.GetValue(CommandLine.Repository)
            ?? throw new UsageException("no repository given: pass REPOSITORY (e.g. ghcr.io/owner/app) or --repository");
        var repository = RepositoryReference.Parse(repositoryText);
        var tags = TagResolver.Resolve(
            result.GetValue(CommandLine.Tags) ?? [],
            (result.GetValue(CommandLine.TagFiles) ?? []).Select(context.ResolvePath),
            StampFiles(),
            _reporter.Warning);
        var layout = context.ResolvePath(result.GetRequiredValue(CommandLine.Layout));
        var refName = result.GetValue(CommandLine.Ref);
        return PushAsync([new Target(repository, tags, layout, () => ReadLayout(layout, refName))], cancellationToken);
    }

    public Task<int> RunPlanAsync(CancellationToken cancellationToken)
    {
        var planPath = context.ResolvePath(result.GetRequiredValue(CommandLine.Plan));
        var planDirectory = Path.GetDirectoryName(planPath)!;
        var stampFiles = StampFiles();
        var targets = PushPlan.Read(planPath).Select(entry =>
        {
            var repository = RepositoryReference.Parse(entry.Repository!);
            var tags = TagResolver.Resolve(entry.Tags ?? [], [], stampFiles, _reporter.Warning);
            var layout = Path.GetFullPath(entry.Layout!, planDirectory);
            return new Target(repository, tags, layout, () => ReadLayout(layout, entry.Ref));
        }).ToList();
        return PushAsync(targets, cancellationToken);
    }

    private ImageGraph ReadLayout(string path, string? refName)
    {
        var image = OciLayoutReader.Read(path, refName, result.GetValue(CommandLine.AllowNonDistributable));
        if (image.WithheldLayers.Count > 0)
        {
            var layers = string.Join(", ", image.WithheldLayers.Select(static layer => layer.Digest.Abbreviated));
            _reporter.Info(PrintableText.OneLine($"{path}: not uploading {image.WithheldLayers.Count} non-distributable layer(s) ({layers}); "
                + "pullers fetch them from their URLs. Pass --allow-nondistributable-artifacts to upload them"));
        }

        return image;
    }

    private List<string> StampFiles() => (result.GetValue(CommandLine.StampInfo) ?? []).Select(context.ResolvePath).ToList();

    private async Task<int> PushAsync(IReadOnlyList<Target> targets, CancellationToken cancellationToken)
    {
        // A layout that is not there at all (a wrong path, an image not built yet) is the common mistake, and is found
        // before anything is sent.
        foreach (var missing in targets.Where(static target => !Directory.Exists(target.LayoutPath)))
        {
            missing.Read();
        }

        var dryRun = result.GetValue(CommandLine.DryRun);
        var insecure = result.GetValue(CommandLine.Insecure);
        // Where blobs went in earlier runs: a second repository of the same registry gets mounts, not uploads.
        var locations = dryRun ? null : BlobLocationCache.FromEnvironment(context.GetEnvironmentVariable);
        var options = new PushOptions(result.GetValue(CommandLine.Jobs), dryRun, CommandLine.UploadOptions(result)) { Locations = locations };

        // Every output is checked before anything moves: a digest file that cannot be written is bad input, not a
        // failure found after the tags already point at the new image.
        var digestFile = result.GetValue(CommandLine.DigestFile) is { } digestPath ? context.ResolvePath(digestPath) : null;
        if (digestFile is not null)
        {
            AtomicFile.CheckWritable(digestFile);
        }

        var gitHub = new GitHubActions(context.GetEnvironmentVariable);
        gitHub.CheckWritable();

        var started = Stopwatch.GetTimestamp();
        var ledger = new TagLedger(_reporter);
        using var connector = new RegistryConnector(BuildPipeline(insecure, targets), insecure, _reporter);

        // The connection, the registry's challenge, the token and the answer for the tags need only names: they are
        // on their way (on another thread) while this one reads the layouts. A layout at fault still wins: its error
        // is the one reported, and nothing has been written.
        connector.Prepare(targets.Select(static target => target.Repository));

        using var asking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tagsNow = Task.Run(
            () => CurrentTags.FindAsync(connector, targets.Select(static target => (target.Repository, target.Tags)), PushOptions.DefaultRequestJobs, asking.Token),
            asking.Token);
        List<PushRequest> requests;
        try
        {
            requests = targets.Select(static target => new PushRequest(target.Read(), target.Repository, target.Tags)).ToList();
        }
        catch
        {
            await asking.CancelAsync().ConfigureAwait(false);
            // The question's own failure, if any, is moot now; observed so that it is not reported as unobserved.
            await tagsNow.ContinueWith(static asked => _ = asked.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        IReadOnlyList<ImagePushResult> results;
        try
        {
            results = await new PushRun(connector, options, ledger).PushAsync(requests, tagsNow, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new RunInterruptedException(ledger.DescribeInterruption(requests), exception);
        }
        finally
        {
            // Blobs that arrived are in the registry whether or not the push went on to succeed.
            locations?.Save(_reporter.Verbose);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);

        foreach (var pushed in results)
        {
            var sent = pushed.Blobs.Sum(static blob => blob.BytesSent);
            _reporter.Info(dryRun
                ? $"dry run: {pushed.Reference}: {pushed.Blobs.Count(static b => b.Action == BlobAction.WouldUpload)} of {pushed.Blobs.Count} blobs would be uploaded"
                : $"pushed {pushed.Reference} ({ConsoleReporter.FormatBytes(sent)} sent; of {pushed.Blobs.Count} blobs {pushed.Blobs.Count(static b => b.Action == BlobAction.Uploaded)} uploaded, "
                    + $"{pushed.Blobs.Count(static b => b.Action == BlobAction.Mounted)} mounted, {pushed.Blobs.Count(static b => b.Action == BlobAction.Exists)} already there) in {elapsed.TotalSeconds:F1} s");
        }

        if (digestFile is not null)
        {
            AtomicFile.WriteAllText(digestFile, results[0].Digest.ToString());
        }

        gitHub.Publish(results, dryRun);

        if (result.GetValue(CommandLine.Json))
        {
            context.Out.WriteLine(JsonSerializer.Serialize(PushReport.From(results, dryRun, elapsed), CliJsonContext.Readable.PushReportJson));
        }
        else
        {
            foreach (var pushed in results)
            {
                context.Out.WriteLine(pushed.Reference);
            }
        }

        return ExitCodes.Success;
    }

    private HttpMessageHandler BuildPipeline(bool insecure, IReadOnlyList<Target> targets)
    {
        var authentication = Auth.AuthSetup.CreateHandler(
            context,
            result.GetValue(CommandLine.Username),
            result.GetValue(CommandLine.PasswordStdin),
            targets.Select(static target => target.Repository.Registry).Distinct(StringComparer.Ordinal).ToList(),
            _reporter.Verbose);
        return RegistryPipeline.Build(context, result, insecure, authentication, _reporter);
    }

    /// <summary>An image to push, before its layout is read: where it goes, its tags, and how to read it.</summary>
    private sealed record Target(RepositoryReference Repository, IReadOnlyList<string> Tags, string LayoutPath, Func<ImageGraph> Read);
}
