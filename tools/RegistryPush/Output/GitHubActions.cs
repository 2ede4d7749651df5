using System.Globalization;
using System.Text;
using RegistryPush.Registry;

namespace RegistryPush.Output;

/// <summary>
/// GitHub Actions integration, active when <c>GITHUB_ACTIONS=true</c>: a Markdown table of what was pushed in the
/// step summary, <c>digest=</c> and <c>reference=</c> step outputs, and errors as <c>::error::</c> annotations.
/// </summary>
public sealed class GitHubActions(Func<string, string?> environment)
{
    /// <summary>True when running inside a GitHub Actions job.</summary>
    public bool IsActive => string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Appends the summary table and writes the step outputs for <paramref name="results"/>.</summary>
    public void Publish(IReadOnlyList<ImagePushResult> results, bool dryRun)
    {
        if (!IsActive || results.Count == 0)
        {
            return;
        }

        if (environment("GITHUB_STEP_SUMMARY") is { Length: > 0 } summaryPath)
        {
            Append(summaryPath, SummaryMarkdown(results, dryRun));
        }

        if (environment("GITHUB_OUTPUT") is { Length: > 0 } outputPath)
        {
            // One image: plain names. Several (push-all): the first under the plain names, all as JSON-free lists.
            var outputs = new StringBuilder()
                .Append("digest=").Append(results[0].Digest).Append('\n')
                .Append("reference=").Append(results[0].Reference).Append('\n');
            if (results.Count > 1)
            {
                outputs.Append("references=").Append(string.Join(' ', results.Select(static result => result.Reference))).Append('\n');
            }

            Append(outputPath, outputs.ToString());
        }
    }

    /// <summary>
    /// Checks, before anything is pushed, that the step summary and step output files can be appended to, so that a
    /// broken one fails the run before a tag moves rather than after. Appends nothing.
    /// </summary>
    /// <exception cref="UsageException">A file cannot be written; the message names it.</exception>
    public void CheckWritable()
    {
        if (!IsActive)
        {
            return;
        }

        foreach (var variable in new[] { "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT" })
        {
            if (environment(variable) is { Length: > 0 } path)
            {
                try
                {
                    using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"cannot write GitHub Actions file {path} ({variable}): {FileErrors.Describe(exception, path)}");
                }
            }
        }
    }

    /// <summary>
    /// The <c>::error::</c> workflow command for a failure: line breaks escaped as the runner requires (so the message
    /// stays one command), every other control character (terminal escapes) replaced by a space.
    /// </summary>
    public static string ErrorAnnotation(string message) =>
        "::error title=registry-push::" + PrintableText.OneLine(message.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal));

    /// <summary>The Markdown table for the step summary.</summary>
    public static string SummaryMarkdown(IReadOnlyList<ImagePushResult> results, bool dryRun)
    {
        var markdown = new StringBuilder()
            .Append(dryRun ? "### registry-push (dry run)\n\n" : "### Images pushed by registry-push\n\n")
            .Append("| Repository | Tags | Digest | Uploaded | Already there |\n")
            .Append("|---|---|---|---|---|\n");
        foreach (var result in results)
        {
            var uploaded = result.Blobs.Where(static blob => blob.Action == BlobAction.Uploaded).Sum(static blob => blob.BytesSent);
            var present = result.Blobs.Count(static blob => blob.Action is BlobAction.Exists or BlobAction.Mounted);
            markdown.Append(CultureInfo.InvariantCulture,
                $"| `{result.Request.Repository}` | {string.Join(", ", result.TagsPushed.Select(static tag => $"`{tag}`"))} | `{result.Digest}` | {ConsoleReporter.FormatBytes(uploaded)} | {present} of {result.Blobs.Count} blobs |\n");
        }

        return markdown.Append('\n').ToString();
    }

    private static void Append(string path, string text)
    {
        try
        {
            File.AppendAllText(path, text);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write GitHub Actions file {path}: {FileErrors.Describe(exception, path)}");
        }
    }
}
