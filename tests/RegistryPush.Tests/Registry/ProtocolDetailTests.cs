using System.Net;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry;
using RegistryPush.Registry.Uploads;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Registry;

public sealed class ProtocolDetailTests
{
    private static readonly Digest SomeDigest = Digest.Sha256Of("x"u8);

    [Theory]
    [InlineData("/v2/app/blobs/uploads/abc?_state=s1", "http://r:5000/v2/app/blobs/uploads/abc?_state=s1&digest=")]
    [InlineData("https://storage.example.com/upload/abc?sig=1&exp=2", "https://storage.example.com/upload/abc?sig=1&exp=2&digest=")]
    [InlineData("/v2/app/blobs/uploads/abc", "http://r:5000/v2/app/blobs/uploads/abc?digest=")]
    [InlineData("abc", "http://r:5000/v2/app/blobs/uploads/abc?digest=")]
    public void Upload_locations_resolve_relative_and_absolute_forms_and_keep_their_query(string location, string expectedPrefix)
    {
        var request = new Uri("http://r:5000/v2/app/blobs/uploads/");

        var put = UploadSession.WithDigest(UploadSession.ResolveLocation(request, location), SomeDigest);

        put.AbsoluteUri.ShouldBe(expectedPrefix + Uri.EscapeDataString(SomeDigest.ToString()));
    }

    [Fact]
    public void Traced_urls_hide_query_values_that_may_carry_secrets()
    {
        var traced = TraceHandler.Redact(new Uri("https://user:pw@s3.example.com/b?X-Amz-Signature=secret&digest=sha256:1&_state=opaque"));

        traced.ShouldBe("https://s3.example.com/b?X-Amz-Signature=REDACTED&digest=sha256:1&_state=REDACTED");
    }

    [Fact]
    public async Task File_range_content_streams_exactly_the_requested_bytes_and_reports_progress()
    {
        using var temp = new TempDirectory();
        var bytes = TestLayout.RandomBytes(1_000_000);
        File.WriteAllBytes(temp.Combine("blob"), bytes);
        long reported = 0;
        using var content = new FileRangeContent(temp.Combine("blob"), 100_000, 600_000, sent => reported += sent);
        using var sink = new MemoryStream();

        await content.CopyToAsync(sink, TestContext.Current.CancellationToken);

        content.Headers.ContentLength.ShouldBe(600_000);
        sink.ToArray().ShouldBe(bytes[100_000..700_000]);
        reported.ShouldBe(600_000);
    }

    [Fact]
    public async Task A_refused_blob_upload_is_a_registry_error_even_when_its_body_can_be_read_only_once()
    {
        using var temp = new TempDirectory();
        byte[] bytes = [1, 2, 3];
        File.WriteAllBytes(temp.Combine("blob"), bytes);
        var blob = new BlobFile(new Descriptor("application/octet-stream", Digest.Sha256Of(bytes), bytes.Length), temp.Combine("blob"));
        using var http = new HttpClient(new OneShotBodyRegistry("""{"errors":[{"code":"UNKNOWN","message":"storage full"}]}"""));
        var client = new RegistryClient(http, new Uri("http://registry.example/"), RepositoryReference.Parse("registry.example/app"));
        var session = new UploadSession(new Uri("http://registry.example/v2/app/blobs/uploads/1"), null);

        var error = await Should.ThrowAsync<RegistryException>(() => client.PutBlobAsync(session, blob, null, TestContext.Current.CancellationToken));

        error.Message.ShouldContain("500 UNKNOWN: storage full");
    }

    /// <summary>Answers 500 with an error body that, like a socket's, cannot be read twice.</summary>
    private sealed class OneShotBodyRegistry(string body) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                await request.Content.CopyToAsync(Stream.Null, cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.InternalServerError)
            {
                Content = new StreamContent(new ReadOnceStream(System.Text.Encoding.UTF8.GetBytes(body))),
                RequestMessage = request,
            };
        }
    }

    private sealed class ReadOnceStream(byte[] content) : MemoryStream(content)
    {
        private bool _ended;

        public override bool CanSeek => false;

        public override int Read(byte[] buffer, int offset, int count) => ReadOnce(base.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ReadOnce(await base.ReadAsync(buffer, cancellationToken));

        private int ReadOnce(int read)
        {
            if (read == 0)
            {
                _ended = true;
            }
            else if (_ended)
            {
                throw new InvalidOperationException("the body was read twice");
            }

            return read;
        }
    }
}
