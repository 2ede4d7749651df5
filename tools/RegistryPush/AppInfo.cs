using System.Reflection;

namespace RegistryPush;

/// <summary>Facts about this build of registry-push.</summary>
public static class AppInfo
{
    /// <summary>The informational version, e.g. <c>0.1.0</c>.</summary>
    public static string Version { get; } =
        typeof(AppInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
