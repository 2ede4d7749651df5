using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RegistryPush.Registry;

/// <summary>
/// Keeps the runtime from reading the whole system trust store. On Linux the runtime, on its first chain build of
/// the process, opens and parses every file of <c>SSL_CERT_DIR</c> and the <c>SSL_CERT_FILE</c> bundle (300 certificates,
/// 45–60 ms of CPU on Debian) — even for a chain whose policy trusts only a custom store — and remembers those
/// locations for the life of the process. Letting that first load happen while both variables are empty leaves the
/// runtime's machine store empty for good; <see cref="TrustRoots"/> then finds the roots itself, by file name.
/// The variables are set back at once, and the managed copy of the environment (what child processes such as
/// credential helpers inherit, and what this program reads) is pinned beforehand, so nothing else sees the change.
/// </summary>
internal static class TrustRuntimeStore
{
    private const string DirectoryVariable = "SSL_CERT_DIR";
    private const string FileVariable = "SSL_CERT_FILE";
    private static readonly Lazy<bool> Emptied = new(Empty, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Whether the runtime's machine trust store is empty for this process, so that only the roots a chain policy
    /// names are trusted. False when the store was loaded before (then the runtime's own verdict stands) or this is
    /// not Linux.
    /// </summary>
    public static bool IsEmpty => Emptied.Value;

    /// <summary>OpenSSL's compiled-in certificate directory and bundle (<c>X509_get_default_cert_dir</c>/<c>_file</c>), or null when no libcrypto answers.</summary>
    public static (string Directory, string File)? OpenSslDefaults()
    {
        foreach (var library in new[] { "libcrypto.so.3", "libcrypto.so.1.1" })
        {
            try
            {
                var (directory, file) = library == "libcrypto.so.3"
                    ? (NativeMethods.DefaultCertDir3(), NativeMethods.DefaultCertFile3())
                    : (NativeMethods.DefaultCertDir11(), NativeMethods.DefaultCertFile11());
                if (Marshal.PtrToStringUTF8(directory) is { } d && Marshal.PtrToStringUTF8(file) is { } f)
                {
                    return (d, f);
                }
            }
            catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
            {
                // Try the next version, as the runtime does.
            }
        }

        return null;
    }

    private static bool Empty()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // Reading the whole environment once makes the runtime keep its own copy; later reads and Process.Start use it.
        _ = Environment.GetEnvironmentVariables();
        var directory = Environment.GetEnvironmentVariable(DirectoryVariable);
        var file = Environment.GetEnvironmentVariable(FileVariable);
        try
        {
            if (NativeMethods.SetEnv(ref Utf8(DirectoryVariable)[0], ref Utf8("")[0], 1) != 0
                || NativeMethods.SetEnv(ref Utf8(FileVariable)[0], ref Utf8("")[0], 1) != 0)
            {
                return false;
            }

            using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
            store.Open(OpenFlags.ReadOnly);
            var loaded = store.Certificates;
            var empty = loaded.Count == 0;
            foreach (var certificate in loaded)
            {
                certificate.Dispose();
            }

            return empty;
        }
        finally
        {
            Restore(DirectoryVariable, directory);
            Restore(FileVariable, file);
        }
    }

    private static void Restore(string name, string? value)
    {
        _ = value is null
            ? NativeMethods.UnsetEnv(ref Utf8(name)[0])
            : NativeMethods.SetEnv(ref Utf8(name)[0], ref Utf8(value)[0], 1);
    }

    private static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value + "\0");

    private static class NativeMethods
    {
        // The runtime reads these variables with getenv(3), so only setenv(3) reaches it; Environment's setter does not.
        [DllImport("libc", EntryPoint = "setenv", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int SetEnv(ref byte name, ref byte value, int overwrite);

        [DllImport("libc", EntryPoint = "unsetenv", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int UnsetEnv(ref byte name);

        // The locations the runtime uses when the variables are unset: compiled into the OpenSSL it loads.
        [DllImport("libcrypto.so.3", EntryPoint = "X509_get_default_cert_dir", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern nint DefaultCertDir3();

        [DllImport("libcrypto.so.3", EntryPoint = "X509_get_default_cert_file", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern nint DefaultCertFile3();

        [DllImport("libcrypto.so.1.1", EntryPoint = "X509_get_default_cert_dir", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern nint DefaultCertDir11();

        [DllImport("libcrypto.so.1.1", EntryPoint = "X509_get_default_cert_file", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern nint DefaultCertFile11();
    }
}
