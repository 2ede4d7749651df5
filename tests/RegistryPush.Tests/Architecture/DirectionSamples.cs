// Parts that break the rule on purpose, to show the check sees what it is for.
namespace RegistryPush.Tests.Architecture.Sample
{
    internal static class Floor
    {
        public static int Count() => Oci.Layout.Blobs().Length;
    }
}

namespace RegistryPush.Tests.Architecture.Sample.Cli
{
    internal static class Command
    {
        public static int Run() => Auth.Helper.Ask() + Floor.Count();
    }
}

namespace RegistryPush.Tests.Architecture.Sample.Auth
{
    internal static class Helper
    {
        public static int Ask() => 1;
    }

    internal static class UsesCli
    {
        public static int Run() => Sample.Cli.Command.Run();
    }
}

namespace RegistryPush.Tests.Architecture.Sample.Oci
{
    internal static class Layout
    {
        public static string[] Blobs() => [References.Name.Of("a")];
    }
}

namespace RegistryPush.Tests.Architecture.Sample.References
{
    internal static class Name
    {
        public static string Of(string text) => text;
    }
}
