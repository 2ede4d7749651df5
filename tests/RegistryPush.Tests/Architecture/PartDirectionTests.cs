using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using RegistryPush.Tests.Bazel;

namespace RegistryPush.Tests.Architecture
{
    /// <summary>
    /// The parts of registry-push use only those below them: Cli > Output > Registry > Auth > Oci, References, all
    /// over the shared floor at the project's root (namespace <c>RegistryPush</c>), which uses no part. Read from the
    /// compiled assembly (every type a part's signatures and method bodies name), so a fully qualified name breaks the
    /// rule as surely as a <c>using</c>; and each file's namespace must be its folder's, so the folders show the parts,
    /// and no file has a <c>using</c> of a part above its own.
    /// </summary>
    public sealed partial class PartDirectionTests
    {
        /// <summary>Higher uses lower; the floor is 0. Oci and References are peers, neither using the other.</summary>
        private static readonly Dictionary<string, int> Ranks = new(StringComparer.Ordinal)
        {
            ["Cli"] = 5,
            ["Output"] = 4,
            ["Registry"] = 3,
            ["Auth"] = 2,
            ["Oci"] = 1,
            ["References"] = 1,
        };

        private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(static field => (OpCode)field.GetValue(null)!)
            .ToDictionary(static code => code.Value);

        [Fact]
        public void No_part_of_registry_push_uses_a_part_above_it()
        {
            var assembly = typeof(AppInfo).Assembly;
            PartsOf(assembly, "RegistryPush").Keys.ShouldBe(Ranks.Keys, ignoreOrder: true);
            Violations(assembly, "RegistryPush").ShouldBeEmpty();
        }

        [Fact]
        public void The_check_catches_a_part_that_calls_into_one_above_it_by_its_full_name()
        {
            Violations(typeof(PartDirectionTests).Assembly, typeof(Sample.Floor).Namespace!)
                .ShouldBe(["Auth.UsesCli → Cli.Command", "Floor → Oci.Layout", "Oci.Layout → References.Name"], ignoreOrder: true);
        }

        [Fact]
        public void Every_source_file_declares_the_namespace_of_its_folder()
        {
            var root = Path.Combine(BazelWorkspace.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found"), "tools", "RegistryPush");
            var wrong = new List<string>();
            foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file);
                if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    continue;
                }

                var folder = Path.GetDirectoryName(relative)!;
                var expected = folder.Length == 0 ? "RegistryPush" : "RegistryPush." + folder.Replace(Path.DirectorySeparatorChar, '.');
                var declared = NamespaceLine().Matches(File.ReadAllText(file)).Select(static match => match.Groups[1].Value).ToList();
                if (relative == "Program.cs" ? declared.Count != 0 : declared.Count != 1 || declared[0] != expected)
                {
                    wrong.Add($"{relative}: namespace {string.Join(", ", declared)}, expected {expected}");
                }

                // A using of a part above is wrong even while nothing uses it yet: the next line written would.
                var part = folder.Split(Path.DirectorySeparatorChar)[0];
                foreach (var used in UsingLine().Matches(File.ReadAllText(file)).Select(static match => match.Groups[1].Value))
                {
                    if (relative != "Program.cs" && used != part && !MayUse(part, used))
                    {
                        wrong.Add($"{relative}: using RegistryPush.{used}");
                    }
                }
            }

            wrong.ShouldBeEmpty();
        }

        [Fact]
        public void The_sources_readme_describes_every_folder_and_no_other()
        {
            var root = Path.Combine(BazelWorkspace.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found"), "tools", "RegistryPush");
            var folders = Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)
                .Select(directory => Path.GetRelativePath(root, directory).Replace(Path.DirectorySeparatorChar, '/'))
                .Where(static folder => !folder.StartsWith("bin", StringComparison.Ordinal) && !folder.StartsWith("obj", StringComparison.Ordinal))
                .ToList();
            var described = DescribedFolder().Matches(File.ReadAllText(Path.Combine(root, "README.md"))).Select(static match => match.Groups[1].Value).ToList();
            described.ShouldBe(folders, ignoreOrder: true);
        }

        /// <summary>Each type of <paramref name="assembly"/> under <paramref name="root"/>, by part (null: the floor).</summary>
        private static Dictionary<string, List<Type>> PartsOf(Assembly assembly, string root) =>
            assembly.GetTypes()
                .Where(type => PartOf(type, root) is { Length: > 0 })
                .GroupBy(type => PartOf(type, root)!)
                .ToDictionary(static group => group.Key, static group => group.ToList());

        /// <summary>"from → to" for every type that names a type of a part it may not use.</summary>
        private static List<string> Violations(Assembly assembly, string root)
        {
            var found = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var type in assembly.GetTypes())
            {
                if (PartOf(type, root) is not { } from)
                {
                    continue;
                }

                foreach (var used in Referenced(type).SelectMany(Unwrap))
                {
                    if (PartOf(used, root) is { } to && to != from && !MayUse(from, to))
                    {
                        found.Add($"{Name(type, root)} → {Name(used, root)}");
                    }
                }
            }

            return [.. found];
        }

        private static bool MayUse(string from, string to) =>
            to.Length == 0 || to == from || (Ranks.TryGetValue(from, out var high) && Ranks.TryGetValue(to, out var low) && low < high);

        /// <summary>The part a type belongs to: "" for the floor, null for a type outside <paramref name="root"/>.</summary>
        private static string? PartOf(Type type, string root)
        {
            var name = type.Namespace;
            if (name == root)
            {
                return string.Empty;
            }

            return name is not null && name.StartsWith(root + ".", StringComparison.Ordinal) ? name[(root.Length + 1)..].Split('.')[0] : null;
        }

        /// <summary>The outermost type's name, with its part: compiler-made closures and state machines are their method's type.</summary>
        private static string Name(Type type, string root)
        {
            while (type.DeclaringType is { } outer)
            {
                type = outer;
            }

            return type.Namespace == root ? type.Name : $"{PartOf(type, root)}.{type.Name}";
        }

        /// <summary>Arrays, references and generic instances name the types inside them.</summary>
        private static IEnumerable<Type> Unwrap(Type type)
        {
            if (type.IsGenericParameter)
            {
                yield break;
            }

            if (type.HasElementType)
            {
                foreach (var inner in Unwrap(type.GetElementType()!))
                {
                    yield return inner;
                }

                yield break;
            }

            yield return type;
            if (type.IsConstructedGenericType)
            {
                foreach (var inner in type.GetGenericArguments().SelectMany(Unwrap))
                {
                    yield return inner;
                }
            }
        }

        /// <summary>Every type <paramref name="type"/>'s declarations and method bodies name.</summary>
        private static List<Type> Referenced(Type type)
        {
            const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var types = new List<Type>();
            if (type.BaseType is { } baseType)
            {
                types.Add(baseType);
            }

            types.AddRange(type.GetInterfaces());
            types.AddRange(type.CustomAttributes.Select(static attribute => attribute.AttributeType));
            types.AddRange(type.GetFields(Declared).Select(static field => field.FieldType));
            types.AddRange(type.GetProperties(Declared).Select(static property => property.PropertyType));
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                if (method is MethodInfo info)
                {
                    types.Add(info.ReturnType);
                }

                types.AddRange(method.GetParameters().Select(static parameter => parameter.ParameterType));
                if (method.GetMethodBody() is { } body)
                {
                    types.AddRange(body.LocalVariables.Select(static local => local.LocalType));
                    types.AddRange(BodyReferences(method, body.GetILAsByteArray() ?? []));
                }
            }

            return types;
        }

        /// <summary>The types, and the types of the methods and fields, that a method's instructions name.</summary>
        private static List<Type> BodyReferences(MethodBase method, byte[] il)
        {
            var typeArguments = method.DeclaringType is { IsGenericType: true } generic ? generic.GetGenericArguments() : null;
            var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
            var types = new List<Type>();
            var at = 0;
            while (at < il.Length)
            {
                var value = (short)il[at++];
                if (value == 0xFE)
                {
                    value = unchecked((short)(0xFE00 | il[at++]));
                }

                switch (OpCodesByValue[value].OperandType)
                {
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        at += 1;
                        break;
                    case OperandType.InlineVar:
                        at += 2;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        at += 8;
                        break;
                    case OperandType.InlineSwitch:
                        at += 4 + (4 * BitConverter.ToInt32(il, at));
                        break;
                    case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                        var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                        at += 4;
                        switch (member)
                        {
                            case Type named:
                                types.Add(named);
                                break;
                            case FieldInfo field:
                                types.Add(field.DeclaringType!);
                                types.Add(field.FieldType);
                                break;
                            case MethodBase called:
                                types.Add(called.DeclaringType!);
                                types.AddRange(called.GetParameters().Select(static parameter => parameter.ParameterType));
                                break;
                        }

                        break;
                    default:
                        at += 4;
                        break;
                }
            }

            return types;
        }

        [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?RegistryPush\.(\w+)", RegexOptions.Multiline)]
        private static partial Regex UsingLine();

        [GeneratedRegex(@"^\s*- \*\*`([\w/]+)/`\*\*", RegexOptions.Multiline)]
        private static partial Regex DescribedFolder();

        [GeneratedRegex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline)]
        private static partial Regex NamespaceLine();
    }
}
