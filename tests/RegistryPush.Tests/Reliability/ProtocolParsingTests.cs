using System.Net.Http.Headers;
using RegistryPush.Registry.Resilience;
using RegistryPush.Registry.Uploads;

namespace RegistryPush.Tests.Reliability;

/// <summary>Reading what registries write in their own dialects: Range, Retry-After, and what is known per host.</summary>
public sealed class ProtocolParsingTests
{
    [Theory]
    [InlineData("0-1023", 1024)]
    [InlineData("bytes=0-1023", 1024)]
    [InlineData("bytes 0-1023/2048", 1024)]
    [InlineData("bytes 0-1023/*", 1024)]
    [InlineData("BYTES=0-99", 100)]
    [InlineData(" 0-4194303 ", 4194304)]
    [InlineData("0-0", 0)]
    [InlineData("bytes=0-0", 0)]
    [InlineData("bytes 0-0/*", 0)]
    public void Upload_ranges_are_read_with_or_without_the_bytes_prefix(string header, long committed)
    {
        UploadRange.TryParseCommitted(header, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(committed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes")]
    [InlineData("5-10")]
    [InlineData("10-5")]
    [InlineData("-5")]
    [InlineData("0-")]
    [InlineData("0--1")]
    [InlineData("a-b")]
    [InlineData("0-9223372036854775807")]
    [InlineData("0-99999999999999999999")]
    public void Unreadable_upload_ranges_are_reported_as_unreadable_not_guessed(string? header)
    {
        UploadRange.TryParseCommitted(header, out _).ShouldBeFalse();
    }

    [Fact]
    public void Retry_after_reads_seconds_dates_and_tolerates_fractions()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        RetryAfter.From(Headers("7"), now).ShouldBe(TimeSpan.FromSeconds(7));
        RetryAfter.From(Headers("1.5"), now).ShouldBe(TimeSpan.FromSeconds(1.5));
        RetryAfter.From(Headers(now.AddSeconds(30).ToString("R")), now).ShouldBe(TimeSpan.FromSeconds(30));
        RetryAfter.From(Headers(now.AddSeconds(-30).ToString("R")), now).ShouldBe(TimeSpan.Zero);
        RetryAfter.From(Headers("soon"), now).ShouldBeNull();
        RetryAfter.From(Headers("-3"), now).ShouldBeNull();
        RetryAfter.From(new HttpResponseMessage().Headers, now).ShouldBeNull();
    }

    [Theory]
    [InlineData("ghcr.io", 4L * 1024 * 1024, null)]
    [InlineData("GHCR.IO", 4L * 1024 * 1024, null)]
    [InlineData("ghcr.io:443", 4L * 1024 * 1024, null)]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com", null, 5L * 1024 * 1024)]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", null, 5L * 1024 * 1024)]
    [InlineData("public.ecr.aws", null, null)]
    [InlineData("docker.io", null, null)]
    [InlineData("127.0.0.1:5000", null, null)]
    [InlineData("[::1]:5000", null, null)]
    public void Known_registry_limits_are_looked_up_by_host(string registry, long? maxBody, long? minChunk)
    {
        var quirks = RegistryQuirks.For(registry);

        quirks.MaxRequestBodyBytes.ShouldBe(maxBody);
        quirks.MinChunkBytes.ShouldBe(minChunk);
    }

    private static HttpResponseHeaders Headers(string retryAfter)
    {
        var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        return response.Headers;
    }
}
