using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Core.Audio;

namespace Ser.Fuzz;

/// <summary>Target (b): <see cref="UploadReader.ReadAsync"/> over a synthetic request. Input: the Content-Type
/// line (may be empty), '\n', then the body; without a '\n' the whole input is a body without a content type.</summary>
public static class UploadTarget
{
    private static readonly UploadReader Reader = new(Options.Create(WavTarget.Limits), new UploadBudget(Options.Create(WavTarget.Limits)));
    private static readonly WavDecoder Decoder = new(WavTarget.Limits);

    // As the service configures it (ServingExtensions): the audio limit plus 1 MiB of multipart framing.
    private static readonly FormOptions Form = new() { MultipartBodyLengthLimit = WavTarget.Limits.MaxBytes + (1 << 20) };

    public static string Run(byte[] input)
    {
        var request = Request(input);
        try
        {
            using var upload = Reader.ReadAsync(request, "file", 1, WavTarget.Limits.MaxSeconds, CancellationToken.None).GetAwaiter().GetResult();
            WavTarget.Check(Decoder.Decode(upload.Bytes(0)));
            return "decoded";
        }
        catch (UploadException e)
        {
            return $"UploadException {e.Status}";
        }
        catch (AudioFormatException e)
        {
            return e.Error.ToString();
        }
        catch (BadHttpRequestException e)
        {
            return $"BadHttpRequestException {e.StatusCode}";
        }
        catch (InvalidDataException)
        {
            return "InvalidDataException";
        }
        catch (IOException)
        {
            return "IOException";
        }
    }

    public static HttpRequest Request(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var newline = Array.IndexOf(input, (byte)'\n');
        var type = newline < 0 ? "" : Encoding.Latin1.GetString(input, 0, newline).TrimEnd('\r');
        var body = newline < 0 ? input : input[(newline + 1)..];
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = HttpMethods.Post;
        if (type.Length > 0) request.ContentType = type;
        request.ContentLength = body.Length;
        request.Body = new MemoryStream(body, writable: false);
        context.Features.Set<IFormFeature>(new FormFeature(request, Form));
        return request;
    }
}
