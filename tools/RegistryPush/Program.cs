using System.Runtime.InteropServices;
using RegistryPush.Cli;

using var interrupted = new CancellationTokenSource();

// A signal handler rather than Console.CancelKeyPress: subscribing to that initialises the terminal (see
// StandardStreams), which leaves it in keypad mode.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
{
    signal.Cancel = true;
    interrupted.Cancel();
});

return await RegistryPushApp.RunAsync(args, RunContext.FromProcess(), interrupted.Token).ConfigureAwait(false);
