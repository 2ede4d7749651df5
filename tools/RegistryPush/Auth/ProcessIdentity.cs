using System.Runtime.InteropServices;

namespace RegistryPush.Auth;

/// <summary>Who this process runs as, where credential files depend on it.</summary>
internal static class ProcessIdentity
{
    /// <summary>The real user id on Linux (podman keeps root's logins in <c>/run/containers/0/</c>); null elsewhere.</summary>
    public static uint? UserId => OperatingSystem.IsLinux() ? NativeMethods.GetUid() : null;

    private static class NativeMethods
    {
        // getuid(2) cannot fail; containers/image uses the real user id too (os.Getuid).
        [DllImport("libc", EntryPoint = "getuid", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint GetUid();
    }
}
