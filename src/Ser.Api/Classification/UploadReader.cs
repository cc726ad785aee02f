using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Ser.Core.Audio;

namespace Ser.Api.Classification;

/// <summary>Gets uploaded WAVs out of a request — multipart parts with a given name, or a raw audio body — into memory
/// within the byte limit and the memory budget, streaming the multipart body itself: nothing is ever written to disk
/// (ASP.NET's form reader buffers parts over 64 KB to temporary files) or logged.</summary>
public sealed class UploadReader(IOptions<AudioOptions> options, UploadBudget budget)
{
    public static readonly IReadOnlyList<string> RawTypes = ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream"];

    /// <summary>Largest form field other than the audio parts (a client's extra fields are read and dropped).</summary>
    public const int MaxFieldBytes = 64 * 1024;

    // Parts beyond the files a request may carry (fields some clients add).
    private const int ExtraParts = 16;

    /// <summary>The files of <paramref name="partName"/> (at most <paramref name="maxFiles"/>), or the raw body as one
    /// file. Dispose the result when the request is done: it holds the request's share of the memory budget.</summary>
    /// <param name="maxAudioSeconds">The most audio the request may decode; with the bytes, it bounds what the request
    /// reserves before reading anything (one reservation, so two requests can never each hold part and wait for more).</param>
    /// <exception cref="UploadException">A refusal with its status (400, 413, 415, 503).</exception>
    public async Task<Upload> ReadAsync(HttpRequest request, string partName, int maxFiles, double maxAudioSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = options.Value.MaxBytes;
        if (request.ContentLength > limit + MultipartAllowance(maxFiles)) throw TooLarge(limit);
        var capacity = Math.Min(request.ContentLength ?? limit, limit);
        var reservation = budget.Open();
        await reservation.GrowAsync(capacity + Upload.DecodedBound(capacity, maxAudioSeconds), cancellationToken).ConfigureAwait(false);
        var upload = new Upload(reservation, (int)capacity, limit, maxAudioSeconds);
        try
        {
            if (request.HasFormContentType) await ReadMultipartAsync(request, upload, partName, maxFiles, cancellationToken).ConfigureAwait(false);
            else
            {
                var type = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
                if (type is not null && !RawTypes.Contains(type))
                    throw new UploadException(StatusCodes.Status415UnsupportedMediaType,
                        $"Content type '{type}' is not accepted; send multipart/form-data with a part named '{partName}', or a raw body of type {string.Join(", ", RawTypes)}.");
                await upload.AppendAsync(request.Body, null, cancellationToken).ConfigureAwait(false);
            }
            upload.Settle();
            return upload;
        }
        catch (BadHttpRequestException e)
        {
            upload.Dispose();
            // Kestrel's own refusals (body over its limit, a client too slow to send) keep their status.
            throw new UploadException(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge(limit).Message : e.Message);
        }
        catch
        {
            upload.Dispose();
            throw;
        }
    }

    private static async Task ReadMultipartAsync(HttpRequest request, Upload upload, string partName, int maxFiles, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new UploadException(StatusCodes.Status415UnsupportedMediaType, $"Send multipart/form-data with parts named '{partName}', or a raw audio body.");
        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 70)
            throw new UploadException(StatusCodes.Status400BadRequest, "The multipart Content-Type has no valid boundary (1 to 70 characters).");
        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024, BodyLengthLimit = null };
        var parts = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (++parts > maxFiles + ExtraParts)
                    throw new UploadException(StatusCodes.Status413PayloadTooLarge, $"The multipart body has more than {maxFiles + ExtraParts} parts.");
                var named = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase) && HeaderUtilities.RemoveQuotes(disposition.Name).Value == partName;
                if (named)
                {
                    if (upload.Files.Count == maxFiles)
                        throw new UploadException(StatusCodes.Status400BadRequest,
                            maxFiles == 1 ? $"Send one part named '{partName}'." : $"At most {maxFiles} files per request (Ser:Inference:MaxBatchFiles).");
                    var fileName = HeaderUtilities.RemoveQuotes(disposition!.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    await upload.AppendAsync(section.Body, fileName, cancellationToken).ConfigureAwait(false);
                }
                else await DrainFieldAsync(section.Body, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidDataException e)
        {
            throw new UploadException(StatusCodes.Status400BadRequest, $"The multipart body is malformed: {e.Message}");
        }
        catch (IOException e) when (e is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new UploadException(StatusCodes.Status400BadRequest, "The multipart body is malformed or truncated (its boundary was not found where expected).");
        }
        if (upload.Files.Count == 0)
            throw new UploadException(StatusCodes.Status400BadRequest, $"The multipart body has no part named '{partName}'.");
    }

    private static async Task DrainFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        var scratch = new byte[4096];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(scratch, cancellationToken).ConfigureAwait(false)) > 0)
            if ((total += read) > MaxFieldBytes)
                throw new UploadException(StatusCodes.Status413PayloadTooLarge, $"A form field is larger than {MaxFieldBytes / 1024} KB.");
    }

    // Boundaries and part headers around the audio.
    private static long MultipartAllowance(int files) => 64 * 1024 + (files + ExtraParts) * (8 * 1024 + 200L);

    internal static UploadException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The upload is larger than the limit of {limit} bytes (Ser:Audio:MaxBytes).");
}
