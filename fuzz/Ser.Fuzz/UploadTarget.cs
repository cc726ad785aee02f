using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Core.Audio;

namespace Ser.Fuzz;

/// <summary>Target (b): <see cref="UploadReader.ReadAsync"/> over a synthetic request (input format: <see cref="UploadInput"/>).</summary>
public static class UploadTarget
{
    private static readonly UploadReader Reader = new(Options.Create(WavTarget.Limits), new UploadBudget(Options.Create(WavTarget.Limits)));
    private static readonly WavDecoder Decoder = new(WavTarget.Limits);

    public static string Run(byte[] input)
    {
        var (type, body) = UploadInput.Split(input);
        var request = UploadInput.Request(type, body);
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
}
