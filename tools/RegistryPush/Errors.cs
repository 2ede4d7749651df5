namespace RegistryPush;

/// <summary>Process exit codes; part of the stable command-line contract (see docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>The image was pushed (or, with <c>--dry-run</c>, would have been).</summary>
    public const int Success = 0;

    /// <summary>A defect in registry-push itself.</summary>
    public const int InternalError = 1;

    /// <summary>Bad input: usage, a reference, a tag or the image layout.</summary>
    public const int BadInput = 2;

    /// <summary>The registry refused our credentials or the permission to push.</summary>
    public const int AuthenticationFailed = 3;

    /// <summary>The registry or the network failed, after retries.</summary>
    public const int RegistryFailure = 4;

    /// <summary>Interrupted by SIGINT (Ctrl-C): 128 + 2, as shells report it.</summary>
    public const int InterruptedBySigInt = 130;

    /// <summary>Interrupted by SIGTERM: 128 + 15.</summary>
    public const int InterruptedBySigTerm = 143;
}

/// <summary>
/// An expected failure that ends the program with a one-line message and a documented exit code.
/// Messages must name the file, reference, digest or credential source at fault and never contain secrets.
/// </summary>
public abstract class RegistryPushException : Exception
{
    /// <summary>Creates the exception with its one-line, user-facing message.</summary>
    /// <remarks>
    /// Messages quote what users and servers wrote (a repository argument, a snippet of a broken JSON file), which may
    /// hold line breaks or control characters; they become spaces, so an error is always exactly one printable line.
    /// </remarks>
    protected RegistryPushException(string message, Exception? inner = null) : base(PrintableText.OneLine(message), inner) { }

    /// <summary>The process exit code this failure maps to.</summary>
    public abstract int ExitCode { get; }
}

/// <summary>The command line, a reference or a tag is invalid (exit code 2).</summary>
public sealed class UsageException(string message) : RegistryPushException(message)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.BadInput;
}

/// <summary>The OCI image layout is missing, malformed or incomplete (exit code 2).</summary>
public sealed class LayoutException(string message, Exception? inner = null) : RegistryPushException(message, inner)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.BadInput;
}

/// <summary>The registry refused authentication or authorization (exit code 3).</summary>
public sealed class AuthenticationException(string message, Exception? inner = null) : RegistryPushException(message, inner)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.AuthenticationFailed;
}

/// <summary>The registry or the network failed (exit code 4).</summary>
public sealed class RegistryException(string message, Exception? inner = null, System.Net.HttpStatusCode? statusCode = null)
    : RegistryPushException(message, inner)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.RegistryFailure;

    /// <summary>The HTTP status the registry answered with, when the failure was an answer rather than a transport error.</summary>
    public System.Net.HttpStatusCode? StatusCode { get; } = statusCode;
}

/// <summary>
/// The run was interrupted (Ctrl-C, SIGTERM). The message says what the interruption left behind (whether any tag
/// moved); the process exits with the signal's code (130, 143), which the program decides, not this type.
/// </summary>
public sealed class RunInterruptedException(string message, Exception? inner = null) : RegistryPushException(message, inner)
{
    /// <summary>The "no tag was moved" line, true whenever the interruption came before the tag phase.</summary>
    public const string NoTagMoved = "interrupted; no tag was moved";

    /// <inheritdoc />
    public override int ExitCode => ExitCodes.InterruptedBySigInt;
}
