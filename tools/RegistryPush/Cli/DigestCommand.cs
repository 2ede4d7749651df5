using System.CommandLine;
using RegistryPush.Oci;
using RegistryPush.Output;

namespace RegistryPush.Cli;

/// <summary><c>registry-push digest LAYOUT</c>: the digest a push would produce, computed offline (for build-time digests).</summary>
internal static class DigestCommand
{
    public static int Run(RunContext context, ParseResult result)
    {
        var image = OciLayoutReader.Read(context.ResolvePath(result.GetRequiredValue(CommandLine.Layout)), result.GetValue(CommandLine.Ref));
        var digest = image.Root.Digest.ToString();
        if (result.GetValue(CommandLine.DigestFile) is { } digestFile)
        {
            AtomicFile.WriteAllText(context.ResolvePath(digestFile), digest);
        }

        context.Out.WriteLine(digest);
        return ExitCodes.Success;
    }
}
