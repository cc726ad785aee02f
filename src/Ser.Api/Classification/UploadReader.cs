using Microsoft.Extensions.Options;
using Ser.Core.Audio;

namespace Ser.Api.Classification;

/// <summary>Gets the uploaded WAV out of a request — a multipart part named <c>file</c> or a raw audio body — within
/// the byte limit, and decodes it. Uploads are never written to disk or logged.</summary>
public sealed class UploadReader(WavDecoder decoder, IOptions<AudioOptions> options)
{
    public static readonly IReadOnlyList<string> RawTypes = ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream"];

    /// <exception cref="UploadException">Missing part, wrong content type or too large.</exception>
    /// <exception cref="AudioFormatException">The bytes are not a usable WAV.</exception>
    public async Task<DecodedAudio> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = options.Value.MaxBytes;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            var file = form.Files.GetFile("file")
                ?? throw new UploadException(StatusCodes.Status400BadRequest, "The multipart body has no part named 'file'.");
            if (file.Length > limit) throw TooLarge(limit);
            await using var stream = file.OpenReadStream();
            return await decoder.DecodeAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        var type = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (type is not null && !RawTypes.Contains(type))
            throw new UploadException(StatusCodes.Status415UnsupportedMediaType,
                $"Content type '{type}' is not accepted; send multipart/form-data with a part named 'file', or a raw body of type {string.Join(", ", RawTypes)}.");
        if (request.ContentLength > limit) throw TooLarge(limit);
        return await decoder.DecodeAsync(request.Body, cancellationToken).ConfigureAwait(false);
    }

    private static UploadException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The upload is larger than the limit of {limit} bytes (Ser:Audio:MaxBytes).");
}

/// <summary>An upload refused before decoding, with the HTTP status to answer.</summary>
public sealed class UploadException(int status, string message) : Exception(message)
{
    public int Status => status;
}
