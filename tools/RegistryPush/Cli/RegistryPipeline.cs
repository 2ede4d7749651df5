using System.CommandLine;
using RegistryPush.Output;
using RegistryPush.Registry;
using RegistryPush.Registry.Resilience;

namespace RegistryPush.Cli;

/// <summary>
/// The one handler chain every command talks to registries through, so <c>push</c>, <c>push-all</c> and
/// <c>auth check</c> retry, time out and classify failures alike: authentication outermost (so the <c>-v</c> trace
/// below it shows every request authentication makes: token fetches, and a request sent again after a challenge),
/// tracing with <c>-v</c>, then retries with stall timeouts (<c>--retries</c>, <c>--timeout</c>) over the socket
/// transport. The trace shows a request once however often it was retried; each retry is announced as a warning,
/// with or without <c>-v</c>.
/// </summary>
internal static class RegistryPipeline
{
    public static HttpMessageHandler Build(RunContext context, ParseResult result, bool insecure, DelegatingHandler authentication, ConsoleReporter reporter)
    {
        var socket = context.TransportFactory?.Invoke(insecure) ?? HttpPipeline.CreateTransport(insecure);
        var transport = ResilienceHandler.Over(socket, CommandLine.RetrySettings(result), reporter.Warning);
        return result.GetValue(CommandLine.Verbose)
            ? HttpPipeline.Chain(transport, authentication, new TraceHandler(reporter.Verbose))
            : HttpPipeline.Chain(transport, authentication);
    }
}
