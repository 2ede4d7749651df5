using System.CommandLine;
using System.Net;
using RegistryPush.Cli;
using RegistryPush.Output;
using RegistryPush.References;
using RegistryPush.Registry;

namespace RegistryPush.Auth;

/// <summary>
/// <c>registry-push auth check REPOSITORY</c>: the troubleshooting list as a command. Reports which credential
/// source answers for the repository, how the registry authenticates, whether pulling is allowed, and whether
/// pushing is (by opening an upload session and cancelling it: nothing is written). Exit 0 when push is granted,
/// 3 with advice when it is not.
/// </summary>
internal sealed class AuthCheckCommand(RunContext context, ParseResult result)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var repository = RepositoryReference.Parse(result.GetRequiredValue(CommandLine.AuthRepository));
        var insecure = result.GetValue(CommandLine.Insecure);
        var verbose = result.GetValue(CommandLine.Verbose);
        using var reporter = new ConsoleReporter(context.Error, verbose, quiet: false);
        var authentication = AuthSetup.CreateHandler(
            context, result.GetValue(CommandLine.Username), result.GetValue(CommandLine.PasswordStdin), [repository.Registry], reporter.Verbose);
        var transport = context.TransportFactory?.Invoke(insecure) ?? HttpPipeline.CreateTransport(insecure);
        var pipeline = verbose
            ? HttpPipeline.Chain(transport, authentication, new TraceHandler(reporter.Verbose))
            : HttpPipeline.Chain(transport, authentication);
        using var connector = new RegistryConnector(pipeline, insecure, reporter);
        using var http = new HttpClient(pipeline, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"registry-push/{AppInfo.Version}");
        // Every line shows values from outside (a user name from a config file, a realm, token scopes): cleaned.
        var output = new PrintableWriter(context.Out);

        output.WriteLine($"repository:  {repository}");
        var resolution = await authentication.ResolveAsync(new CredentialQuery(repository.ApiHost, repository.Path), cancellationToken).ConfigureAwait(false);
        output.WriteLine($"credentials: {resolution.Credential.Describe()}");
        foreach (var note in resolution.Notes)
        {
            output.WriteLine($"note:        {note}");
        }

        await StepAsync("registry:    refused", () => connector.ConnectAsync(repository, cancellationToken)).ConfigureAwait(false);
        var client = connector.ClientFor(repository);
        var challenge = authentication.ChallengeFor(client.RegistryBase);
        output.WriteLine($"registry:    {client.RegistryBase.GetLeftPart(UriPartial.Authority)} asks for {Describe(challenge)}");

        var repositoryBase = new Uri(client.RegistryBase, $"/v2/{repository.Path}/");
        await StepAsync("pull:        refused", async () =>
        {
            using var tags = await http.GetAsync(new Uri(repositoryBase, "tags/list"), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var line = tags.StatusCode switch
            {
                HttpStatusCode.OK => "pull:        allowed",
                HttpStatusCode.NotFound => "pull:        allowed (the repository does not exist yet; the first push creates it)",
                _ => null,
            };
            if (line is null)
            {
                throw await RegistryResponseError.CreateAsync(tags, $"pull check on {repository}", cancellationToken).ConfigureAwait(false);
            }

            output.WriteLine(line);
        }).ConfigureAwait(false);

        if (authentication.GrantsFor(new Uri(repositoryBase, "tags/list")) is { } grant)
        {
            var own = grant.Scopes?.FirstOrDefault(scope => scope.ResourceType == "repository" && scope.Name == repository.Path);
            output.WriteLine(grant.Scopes is null
                ? "token:       issued (opaque: what it allows shows in the answers below)"
                : $"token:       grants {(own is null ? "nothing on this repository" : own.ToString())}");
        }

        await StepAsync("push:        refused", async () =>
        {
            using var upload = new HttpRequestMessage(HttpMethod.Post, new Uri(repositoryBase, "blobs/uploads/")) { Content = new ByteArrayContent([]) };
            using var opened = await http.SendAsync(upload, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (opened.StatusCode != HttpStatusCode.Accepted)
            {
                throw await RegistryResponseError.CreateAsync(opened, $"push check on {repository} (opening an upload)", cancellationToken).ConfigureAwait(false);
            }

            await CancelUploadAsync(http, opened, reporter, cancellationToken).ConfigureAwait(false);
            output.WriteLine("push:        allowed (an upload session was opened and cancelled; nothing was written)");
        }).ConfigureAwait(false);
        return ExitCodes.Success;

        async Task StepAsync(string refusal, Func<Task> step)
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (AuthenticationException)
            {
                output.WriteLine(refusal);
                throw;
            }
        }
    }

    private static async Task CancelUploadAsync(HttpClient http, HttpResponseMessage opened, ConsoleReporter reporter, CancellationToken cancellationToken)
    {
        if (opened.Headers.Location is not { } location)
        {
            return;
        }

        try
        {
            var target = location.IsAbsoluteUri ? location : new Uri(opened.RequestMessage!.RequestUri!, location);
            using var cancel = await http.DeleteAsync(target, cancellationToken).ConfigureAwait(false);
            reporter.Verbose($"auth check: cancelling the upload session answered {(int)cancel.StatusCode}");
        }
        catch (HttpRequestException exception)
        {
            // The session expires on its own; failing to cancel it changes nothing about the answer.
            reporter.Verbose($"auth check: could not cancel the upload session ({exception.HttpRequestError})");
        }
    }

    private static string Describe(AuthChallenge? challenge) => challenge switch
    {
        null => "no authentication (open registry)",
        { IsBearer: true } => $"Bearer tokens from {challenge["realm"]}{(challenge["service"] is { } service ? $" (service {service})" : string.Empty)}",
        _ => challenge.Scheme,
    };
}
