using RegistryPush.Cli;

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};

return await RegistryPushApp.RunAsync(args, RunContext.FromProcess(), interrupted.Token).ConfigureAwait(false);
