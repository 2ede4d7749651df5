using System.CommandLine;
using RegistryPush.Auth;
using RegistryPush.Output;
using RegistryPush.References;
using RegistryPush.Registry;
using RegistryPush.Registry.Uploads;

namespace RegistryPush.Cli;

/// <summary>
/// <c>registry-push auth check REPOSITORY</c>: the troubleshooting list as a command. Reports which credential
/// source answers for the repository, how the registry authenticates, whether pulling is allowed, and whether
/// pushing is (by opening an upload session and cancelling it: nothing is written). It speaks through the same
/// pipeline as <c>push</c> (<see cref="RegistryPipeline"/>: retries, stall timeout, error classes) and reads
/// credentials as a push does, so the two agree: exit 0 when push is granted, 3 when credentials or permissions
/// refuse it, 4 when the registry or the network fails (a read-only registry included).
/// </summary>
internal sealed class AuthCheckCommand(RunContext context, ParseResult result)
{
    private readonly TextWriter _output = context.Out;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var repository = RepositoryReference.Parse(result.GetRequiredValue(CommandLine.AuthRepository));
        var insecure = result.GetValue(CommandLine.Insecure);
        using var reporter = new ConsoleReporter(context.Error, result.GetValue(CommandLine.Verbose), quiet: false);
        var authentication = AuthSetup.CreateHandler(
            context, result.GetValue(CommandLine.Username), result.GetValue(CommandLine.PasswordStdin), [repository.Registry], reporter.Verbose);
        using var connector = new RegistryConnector(RegistryPipeline.Build(context, result, insecure, authentication, reporter), insecure, reporter);

        _output.WriteLine($"repository:  {repository}");
        var unreadable = await ReportCredentialsAsync(authentication, repository, cancellationToken).ConfigureAwait(false);

        // The ping is the step under test here: it shows whether the registry answers and what it asks for.
        await StepAsync("registry", async () =>
        {
            await connector.ConnectAsync(repository, cancellationToken).ConfigureAwait(false);
            await connector.VerifyAsync(repository, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        var client = connector.ClientFor(repository);
        var challenge = authentication.ChallengeFor(client.RegistryBase);
        _output.WriteLine($"registry:    {Printable(client.RegistryBase.GetLeftPart(UriPartial.Authority))} asks for {Describe(challenge)}");
        if (unreadable is not null)
        {
            // As in a push: credentials are read only when a registry asks for them, so an open registry does not care
            // that a credential store is broken, and a registry that asks refuses the run.
            if (challenge is not null)
            {
                throw unreadable;
            }

            reporter.Warning($"{unreadable.Message}; {client.RegistryBase.Authority} asks for no credentials, so a push does not need them");
        }

        await StepAsync("pull", async () =>
        {
            var exists = await client.CanListTagsAsync(cancellationToken).ConfigureAwait(false);
            _output.WriteLine(exists ? "pull:        allowed" : "pull:        allowed (the repository does not exist yet; the first push creates it)");
        }).ConfigureAwait(false);

        ReportGrant(authentication, client, repository);

        await StepAsync("push", async () =>
        {
            var session = await client.StartUploadAsync(cancellationToken).ConfigureAwait(false);
            await CancelAsync(client, session, reporter, cancellationToken).ConfigureAwait(false);
            _output.WriteLine("push:        allowed (an upload session was opened and cancelled; nothing was written)");
        }).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    // Prints the credentials line; returns the failure of a broken source instead of throwing it, because whether it
    // matters depends on whether the registry asks for credentials at all.
    private async Task<CredentialException?> ReportCredentialsAsync(AuthenticationHandler authentication, RepositoryReference repository, CancellationToken cancellationToken)
    {
        CredentialResolution resolution;
        try
        {
            resolution = await authentication.ResolveAsync(new CredentialQuery(repository.ApiHost, repository.Path), cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialException exception)
        {
            _output.WriteLine("credentials: cannot be read (see below)");
            return exception;
        }

        _output.WriteLine($"credentials: {Printable(resolution.Credential.Describe())}");
        foreach (var note in resolution.Notes)
        {
            _output.WriteLine($"note:        {Printable(note)}");
        }

        return null;
    }

    private void ReportGrant(AuthenticationHandler authentication, RegistryClient client, RepositoryReference repository)
    {
        if (authentication.GrantsFor(new Uri(client.RegistryBase, $"/v2/{repository.Path}/tags/list")) is not { } grant)
        {
            return;
        }

        var own = grant.Scopes?.FirstOrDefault(scope => scope.ResourceType == "repository" && scope.Name == repository.Path);
        _output.WriteLine(grant.Scopes is null
            ? "token:       issued (opaque: what it allows shows in the answers below)"
            : $"token:       grants {(own is null ? "nothing on this repository" : Printable(own.ToString()))}");
    }

    // Runs one check; when it fails, stdout says where the check stopped and the one-line error (with advice) follows
    // on stderr as for a push: "refused" for credentials and permissions (exit 3), "failed" for the rest (exit 4).
    private async Task StepAsync(string name, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (RegistryPushException exception) when (exception.ExitCode != ExitCodes.BadInput)
        {
            _output.WriteLine($"{name + ":",-13}{(exception.ExitCode == ExitCodes.AuthenticationFailed ? "refused" : "failed")}");
            throw;
        }
    }

    private static async Task CancelAsync(RegistryClient client, UploadSession session, ConsoleReporter reporter, CancellationToken cancellationToken)
    {
        try
        {
            reporter.Verbose($"auth check: cancelling the upload session answered {await client.CancelUploadAsync(session, cancellationToken).ConfigureAwait(false)}");
        }
        catch (RegistryPushException exception)
        {
            // The session expires on its own; failing to cancel it changes nothing about the answer.
            reporter.Verbose($"auth check: could not cancel the upload session ({exception.Message})");
        }
    }

    private static string Describe(AuthChallenge? challenge) => challenge switch
    {
        null => "no authentication (open registry)",
        { IsBearer: true } => Printable($"Bearer tokens from {challenge["realm"]}{(challenge["service"] is { } service ? $" (service {service})" : string.Empty)}"),
        _ => Printable(challenge.Scheme),
    };

    // Values from config files and registries are printed on their own lines: no control character may forge one.
    private static string Printable(string text) => PrintableText.OneLine(text);
}
