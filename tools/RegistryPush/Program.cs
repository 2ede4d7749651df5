using RegistryPush.Cli;

// Ctrl-C and SIGTERM stop the run cleanly (no tag moves after them) and end it with 130 or 143.
using var interruption = Interruption.FromSignals();
return await RegistryPushApp.RunAsync(args, RunContext.FromProcess(), interruption).ConfigureAwait(false);
