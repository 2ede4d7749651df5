using System.Runtime.InteropServices;

namespace RegistryPush.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and termination requests (SIGTERM, as CI runners and container engines send): the first cancels
/// the run, which then ends with one line and the shell's code for the signal (128 + its number: 130, 143); a second
/// one is left to the operating system, which ends the process at once.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private CancellationTokenRegistration _link;
    private int _exitCode;

    private Interruption()
    {
    }

    /// <summary>Cancelled when the run is interrupted.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>The exit code the interruption calls for: 143 after SIGTERM, otherwise 130.</summary>
    public int ExitCode => _exitCode == 0 ? ExitCodes.InterruptedBySigInt : _exitCode;

    /// <summary>Listens for SIGINT and SIGTERM for as long as the instance lives.</summary>
    public static Interruption FromSignals()
    {
        var interruption = new Interruption();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                interruption._registrations.Add(PosixSignalRegistration.Create(signal, interruption.OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // A platform without this signal cannot send it either.
            }
        }

        return interruption;
    }

    /// <summary>An interruption driven by <paramref name="token"/> (tests, hosts): cancelling it counts as Ctrl-C.</summary>
    public static Interruption From(CancellationToken token)
    {
        var interruption = new Interruption();
        interruption._link = token.Register(static state => ((Interruption)state!).Interrupt(ExitCodes.InterruptedBySigInt), interruption);
        return interruption;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _link.Dispose();
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The first signal asks the push to stop cleanly (no tag moves after it); a second one is the user insisting.
        context.Cancel = Interrupt(context.Signal == PosixSignal.SIGTERM ? ExitCodes.InterruptedBySigTerm : ExitCodes.InterruptedBySigInt);
    }

    private bool Interrupt(int exitCode)
    {
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) != 0)
        {
            return false;
        }

        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run is over; nothing left to stop.
        }

        return true;
    }
}
