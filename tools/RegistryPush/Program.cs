using System.Runtime.InteropServices;
using RegistryPush.Cli;

// Ctrl-C and SIGTERM stop the run cleanly (no tag moves after them) and end it with 130 or 143. Through POSIX signal
// handlers (Interruption), not Console.CancelKeyPress: subscribing to that initialises the terminal (see
// StandardStreams), which leaves it in keypad mode.
using var interruption = Interruption.FromSignals();
return await RegistryPushApp.RunAsync(args, RunContext.FromProcess(), interruption).ConfigureAwait(false);
