using System.Globalization;
using System.Text;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>The head of a request: method, target and headers.</summary>
internal sealed class RequestHead
{
    private readonly List<(string Name, string Value)> _headers;

    private RequestHead(string method, string target, List<(string, string)> headers)
    {
        Method = method;
        Target = target;
        _headers = headers;
    }

    public string Method { get; }

    public string Target { get; }

    public long ContentLength => long.TryParse(Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : 0;

    public bool Chunked => Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;

    public bool Closes => Header("Connection")?.Equals("close", StringComparison.OrdinalIgnoreCase) == true;

    public string? Header(string name) => _headers.FirstOrDefault(header => header.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public static RequestHead Parse(byte[] head)
    {
        var lines = Encoding.Latin1.GetString(head).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length < 3)
        {
            throw new FormatException($"bad request line '{lines[0]}'");
        }

        return new RequestHead(parts[0], parts[1], ParseHeaders(lines));
    }

    internal static List<(string, string)> ParseHeaders(string[] lines)
    {
        var headers = new List<(string, string)>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return headers;
    }
}
