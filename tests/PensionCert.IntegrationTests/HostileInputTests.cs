using System.Net;
using System.Net.Http.Headers;
using System.Text;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Hostile uploads and fields beyond <see cref="BadInputTests"/>: formats sniffed by magic bytes, images that pass the
/// sniff but must not decode, oversized and slow bodies, hostile JSON, and a seeded fuzz of the upload path.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class HostileInputTests(LocalHostFixture host)
{
    public static TheoryData<string, byte[]> UnsupportedByMagic() => new()
    {
        { "SVG", Encoding.UTF8.GetBytes("""<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>""") },
        { "GIF", [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3B] },
        { "GIF/JavaScript polyglot", Encoding.ASCII.GetBytes("GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(document.domain);//").Concat(new byte[64]).ToArray() },
        { "BMP 2^31 x 2^31", BmpHeader(int.MaxValue, int.MaxValue) },
        { "HTML named .jpg", Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>") },
    };

    [Theory]
    [MemberData(nameof(UnsupportedByMagic))]
    public async Task Submit_UnsupportedFormatWithJpegContentType_415AndNothingStored(string name, byte[] bytes)
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var before = await host.SnapshotStoredAsync();

        using var response = await host.Http.SendAsync(SubmitBytes(id, bytes));

        await BadInputTests.AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "photo-unsupported-format", name);
        await host.AssertNothingStoredSinceAsync(before);
    }

    public static TheoryData<string, byte[], string> SniffedButUndecodable() => new()
    {
        { "JPEG that is only headers", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF"u8, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9], "image-unreadable" },
        { "JPEG/ZIP polyglot", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF"u8, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, .. "PK\u0003\u0004"u8, .. new byte[200]], "image-unreadable" },
        { "PNG declaring 30000x30000", PngHeader(30000, 30000), "image-too-large" },
    };

    [Theory]
    [MemberData(nameof(SniffedButUndecodable))]
    public async Task Submit_MagicBytesRightButImageHostile_AcceptedThenRejectedWithReason(string name, byte[] bytes, string reason)
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        using var response = await host.Http.SendAsync(SubmitBytes(id, bytes));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, name);
        var certificationId = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("certificationId").GetString()!;

        var decided = await host.PollDecidedAsync(certificationId);

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.Equal(reason, decided.GetProperty("reasons")[0].GetProperty("code").GetString());
    }

    public static TheoryData<string, string, string> HostileJson() => new()
    {
        { "duplicate property", """{"pensionerId":"p0","pensionerId":"p1","channel":"app","photo":"AAAA"}""", "malformed-request" },
        { "extra property", """{"pensionerId":"p0","channel":"app","photo":"AAAA","admin":true}""", "unknown-field" },
        { "deeply nested", """{"channel":""" + new string('[', 500) + new string(']', 500) + "}", "malformed-request" },
        { "array as field", """{"pensionerId":["p0"],"channel":"app","photo":"AAAA"}""", "invalid-field-type" },
        { "unterminated", """{"pensionerId":"p0","channel":"app","photo":"AAAA""", "malformed-request" },
    };

    [Theory]
    [MemberData(nameof(HostileJson))]
    public async Task Submit_HostileJson_400AndNothingStored(string name, string json, string code)
    {
        var before = await host.SnapshotStoredAsync();
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader,
            new StringContent(json, Encoding.UTF8, "application/json")));
        await BadInputTests.AssertProblem(response, HttpStatusCode.BadRequest, code, name);
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Theory]
    [InlineData(1000, "invalid-name")]
    [InlineData(100_000, "invalid-field-type")]
    public async Task Enroll_ExtremelyLongName_400AndNothingStored(int length, string code)
    {
        var before = await host.SnapshotStoredAsync();
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", LocalHostFixture.OperatorKeyHeader,
            LocalHostFixture.Multipart(("idNumber", TestIdNumbers.New()), ("name", new string('王', length)), ("regionCode", "110105")).WithPhoto(Photos.GenuineReference)));
        var problem = await BadInputTests.AssertProblem(response, HttpStatusCode.BadRequest, code, $"{length}-character name");
        await host.AssertNothingStoredSinceAsync(before);
        if (code == "invalid-field-type")
        {
            // The title said "text expected" while the detail said 字段内容过长 (too long): they must agree.
            Assert.Equal("字段内容过长。", problem.GetProperty("detail").GetString());
            Assert.Contains("too long", problem.GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task Submit_MultipartWithoutBoundaryParameter_400()
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"channel\"\r\n\r\napp\r\n--x--\r\n"));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader, content));
        await BadInputTests.AssertProblem(response, HttpStatusCode.BadRequest, "malformed-request", "no boundary");
    }

    [Fact]
    public async Task Submit_TwoPhotoParts_400DuplicateFieldAndNothingStored()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var before = await host.SnapshotStoredAsync();
        var content = LocalHostFixture.Multipart(("channel", "app"), ("idNumber", id)).WithPhoto(Photos.GenuineProbe).WithPhoto(Photos.GenuineProbe);
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader, content));
        await BadInputTests.AssertProblem(response, HttpStatusCode.BadRequest, "duplicate-field", "two photos");
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Submit_ChunkedBodyOverKestrelCap_413WithoutReadingItAll()
    {
        var before = await host.SnapshotStoredAsync();
        var sent = 0L;
        var content = new PushStreamContent(async stream =>
        {
            var chunk = new byte[64 * 1024];
            var head = "--b\r\nContent-Disposition: form-data; name=\"channel\"\r\n\r\napp\r\n--b\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n"u8;
            head.CopyTo(chunk);
            // The photo starts like a JPEG, so the format check passes and only the size cap can refuse it (zeros were
            // refused 415 photo-unsupported-format whenever the format was checked before the cap was reached).
            new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }.CopyTo(chunk, head.Length);
            for (var i = 0; i < 40 * 16; i++) // 40 MiB offered
            {
                await stream.WriteAsync(chunk);
                sent += chunk.Length;
            }
        });
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        HttpResponseMessage? response = null;
        try
        {
            response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader, content));
        }
        catch (HttpRequestException)
        {
            // The server may answer 413 and close the connection while the client is still sending.
        }
        if (response is not null)
        {
            await BadInputTests.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "photo-too-large", "40 MiB chunked");
            response.Dispose();
        }
        Assert.True(sent < 40L * 1024 * 1024, $"the whole body was read ({sent} bytes)");
        await host.AssertNothingStoredSinceAsync(before);
    }

    /// <summary>
    /// Seeded mutations of a valid multipart submission (byte flips, truncation, inserted bytes, boundary and header
    /// damage) over HTTP: never a 5xx, never a stored certification (the pensioner id does not exist, so even a body
    /// that survives mutation ends in 404 after the upload path has run).
    /// </summary>
    [Fact]
    public async Task Submit_FuzzedMultipartBodies_NoServerErrorAndNothingStored()
    {
        const int cases = 300;
        var random = new Random(20240601);
        var template = MultipartTemplate(Ids.NewPensionerId(), SharedFaces.Read(Photos.GenuineProbe));
        var before = await host.SnapshotStoredAsync();
        var outcomes = new Dictionary<int, int>();

        for (var i = 0; i < cases; i++)
        {
            var body = Mutate(template, random);
            var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", random.Next(10) == 0 ? "multipart/form-data; boundary=\"zz\u0001\"" : "multipart/form-data; boundary=fuzzboundary");
            using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader, content));
            var status = (int)response.StatusCode;
            outcomes[status] = outcomes.GetValueOrDefault(status) + 1;
            Assert.True(status is >= 400 and < 500, $"case {i}: {status} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.True(outcomes.Count > 1, string.Join(", ", outcomes.Select(o => $"{o.Key}:{o.Value}")));
        await host.AssertNothingStoredSinceAsync(before);
    }

    private static byte[] MultipartTemplate(string pensionerId, byte[] jpeg) =>
    [
        .. Encoding.ASCII.GetBytes($"--fuzzboundary\r\nContent-Disposition: form-data; name=\"channel\"\r\n\r\nwechat\r\n--fuzzboundary\r\nContent-Disposition: form-data; name=\"pensionerId\"\r\n\r\n{pensionerId}\r\n--fuzzboundary\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"selfie.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"),
        .. jpeg,
        .. "\r\n--fuzzboundary--\r\n"u8,
    ];

    /// <summary>One to four random mutations, biased to the multipart framing (the first 300 bytes) and the JPEG header.</summary>
    internal static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = new List<byte>(source);
        for (var m = random.Next(1, 5); m > 0 && bytes.Count > 0; m--)
        {
            var at = random.Next(3) == 0 ? random.Next(Math.Min(600, bytes.Count)) : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.RemoveRange(at, bytes.Count - at); break;
                case 3: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256))); break;
                case 4: bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 256))); break;
                default: bytes.InsertRange(at, "\r\n--fuzzboundary\r\n"u8.ToArray()); break;
            }
        }
        return [.. bytes];
    }

    private HttpRequestMessage SubmitBytes(string id, byte[] bytes)
    {
        var content = LocalHostFixture.Multipart(("channel", "wechat"), ("idNumber", id));
        var photo = new ByteArrayContent(bytes);
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        content.Add(photo, "photo", "selfie.jpg");
        return LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader, content);
    }

    private static byte[] BmpHeader(int width, int height)
    {
        var bmp = new byte[54];
        "BM"u8.CopyTo(bmp);
        BitConverter.TryWriteBytes(bmp.AsSpan(2), 54);
        BitConverter.TryWriteBytes(bmp.AsSpan(10), 54);
        BitConverter.TryWriteBytes(bmp.AsSpan(14), 40);
        BitConverter.TryWriteBytes(bmp.AsSpan(18), width);
        BitConverter.TryWriteBytes(bmp.AsSpan(22), height);
        BitConverter.TryWriteBytes(bmp.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(bmp.AsSpan(28), (short)24);
        return bmp;
    }

    /// <summary>A PNG whose IHDR declares the size (valid CRCs), with an empty IDAT.</summary>
    private static byte[] PngHeader(int width, int height)
    {
        var bytes = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(bytes, "IHDR", ihdr);
        Chunk(bytes, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(bytes, "IEND", []);
        return [.. bytes];
    }

    private static void Chunk(List<byte> bytes, string type, byte[] data)
    {
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        bytes.AddRange(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        bytes.AddRange(typed);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, System.IO.Hashing.Crc32.HashToUInt32(typed));
        bytes.AddRange(crc);
    }

    /// <summary>HttpContent that writes its body from a callback (for chunked and stalled uploads).</summary>
    private sealed class PushStreamContent(Func<Stream, CancellationToken, Task> write, long? length = null) : HttpContent
    {
        public PushStreamContent(Func<Stream, Task> write, long? length = null) : this((s, _) => write(s), length)
        {
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => write(stream, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken) => write(stream, cancellationToken);

        protected override bool TryComputeLength(out long computed)
        {
            computed = length ?? -1;
            return length is not null;
        }
    }
}
