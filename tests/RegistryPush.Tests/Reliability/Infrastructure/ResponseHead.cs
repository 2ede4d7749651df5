using System.Globalization;
using System.Text;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>The head of a response: status and headers.</summary>
internal sealed class ResponseHead
{
    private readonly byte[] _raw;
    private readonly List<(string Name, string Value)> _headers;

    private ResponseHead(byte[] raw, int status, List<(string, string)> headers)
    {
        _raw = raw;
        Status = status;
        _headers = headers;
    }

    public int Status { get; }

    public long? ContentLength => long.TryParse(Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : null;

    public bool Chunked => Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;

    public bool Closes => Header("Connection")?.Equals("close", StringComparison.OrdinalIgnoreCase) == true;

    public string? Header(string name) => _headers.FirstOrDefault(header => header.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public byte[] WithHeader(string name, string value)
    {
        var text = Encoding.Latin1.GetString(_raw);
        return Encoding.Latin1.GetBytes(text[..^2] + $"{name}: {value}\r\n\r\n");
    }

    public static ResponseHead Parse(byte[] head)
    {
        var lines = Encoding.Latin1.GetString(head).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new FormatException($"bad status line '{lines[0]}'");
        }

        return new ResponseHead(head, status, RequestHead.ParseHeaders(lines));
    }
}
