using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RegistryPush.Oci;
using RegistryPush.Output;
using RegistryPush.References;
using RegistryPush.Registry;

namespace RegistryPush.Cli;

/// <summary><c>push</c> and <c>push-all</c>: validate everything offline first, then push, then report.</summary>
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
        var image = ReadLayout(context.ResolvePath(result.GetRequiredValue(CommandLine.Layout)), result.GetValue(CommandLine.Ref));
        return PushAsync([new PushRequest(image, repository, tags)], cancellationToken);
    }

    public Task<int> RunPlanAsync(CancellationToken cancellationToken)
    {
        var planPath = context.ResolvePath(result.GetRequiredValue(CommandLine.Plan));
        var planDirectory = Path.GetDirectoryName(planPath)!;
        var stampFiles = StampFiles();
        var requests = PushPlan.Read(planPath).Select(entry =>
        {
            var repository = RepositoryReference.Parse(entry.Repository!);
            var tags = TagResolver.Resolve(entry.Tags ?? [], [], stampFiles, _reporter.Warning);
            var image = ReadLayout(Path.GetFullPath(entry.Layout!, planDirectory), entry.Ref);
            return new PushRequest(image, repository, tags);
        }).ToList();
        return PushAsync(requests, cancellationToken);
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

    private async Task<int> PushAsync(IReadOnlyList<PushRequest> requests, CancellationToken cancellationToken)
    {
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
        using var connector = new RegistryConnector(BuildPipeline(insecure, requests), insecure, _reporter);
        IReadOnlyList<ImagePushResult> results;
        try
        {
            results = await new PushRun(connector, options, ledger).PushAsync(requests, cancellationToken).ConfigureAwait(false);
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

    private HttpMessageHandler BuildPipeline(bool insecure, IReadOnlyList<PushRequest> requests)
    {
        var authentication = Auth.AuthSetup.CreateHandler(
            context,
            result.GetValue(CommandLine.Username),
            result.GetValue(CommandLine.PasswordStdin),
            requests.Select(static request => request.Repository.Registry).Distinct(StringComparer.Ordinal).ToList(),
            _reporter.Verbose);
        return RegistryPipeline.Build(context, result, insecure, authentication, _reporter);
    }
}
