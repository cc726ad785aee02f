using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Api.Contracts;
using Ser.Api.Health;
using Ser.Api.Serving;
using Ser.Core.Audio;
using Ser.Core.Models;
using Serilog;

namespace Ser.Api.Endpoints;

/// <summary><c>POST /classify</c> and <c>POST /classify/batch</c>: WAVs in, both models' emotion probabilities out.</summary>
public static class ClassifyEndpoints
{
    private const int MinSamples = 400; // 25 ms at 16 kHz: one Wav2Vec2 frame

    public static IEndpointRouteBuilder MapClassifyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/classify", ClassifyAsync).WithName("Classify").WithTags("Classification")
            .WithSummary("Classify one WAV with every active model (or those named in ?models=).")
            .WithDescription("Send multipart/form-data with a part named 'file', or a raw body of type audio/wav (audio/x-wav, audio/wave, "
                + "audio/vnd.wave, application/octet-stream). Clips longer than Ser:Inference:WindowSeconds are scored in overlapping windows; "
                + "?segments=true adds the per-window timeline.")
            .Produces<ClassifyResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter<ClassifyAuthorization>().RequireRateLimiting(Extensions.RateLimitExtensions.Classify)
            .DisableAntiforgery();
        app.MapPost("/classify/batch", BatchAsync).WithName("ClassifyBatch").WithTags("Classification")
            .WithSummary("Classify several WAVs (multipart parts named 'files'); results in request order, each with its own status.")
            .Produces<BatchClassifyResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter<ClassifyAuthorization>().RequireRateLimiting(Extensions.RateLimitExtensions.Classify)
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Ok<ClassifyResponse>, ProblemHttpResult, ValidationProblem>> ClassifyAsync(
        HttpContext context, [FromQuery] string? models, [FromQuery] bool? segments, UploadReader uploads, ModelHost host,
        ClassificationService classification, ServiceReadiness readiness, IDiagnosticContext diagnostics, CancellationToken cancellationToken)
    {
        if (Requested(models, host) is not { } requested)
            return Problems.Invalid("models", $"Unknown model(s) in '{models}'; use {string.Join(", ", ModelArchitectures.All)}.");
        var outcome = await ScoreAsync(() => uploads.ReadAsync(context.Request, cancellationToken), requested, segments == true, host,
            classification, cancellationToken).ConfigureAwait(false);
        if (outcome.Result is { } result)
        {
            // The request's one log line carries what answered and how fast; never audio or file names.
            diagnostics.Set("AudioSeconds", result.Audio.DurationSeconds);
            diagnostics.Set("Models", result.Predictions.ToDictionary(p => p.Key, p => $"{p.Value.RunId ?? p.Value.Preset}: {p.Value.LatencyMs} ms"));
            return TypedResults.Ok(result);
        }
        if (outcome.RetryAfter is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (outcome.Problem!.Status == StatusCodes.Status503ServiceUnavailable && !readiness.IsReady)
        {
            // While the first models train, say how far that has come.
            var bootstrap = readiness.Bootstrap;
            outcome.Problem.Extensions["bootstrap"] = bootstrap;
            outcome.Problem.Detail += $" Start-up: {bootstrap.Stage} ({bootstrap.Fraction:P0}).";
        }
        return TypedResults.Problem(outcome.Problem);
    }

    private static async Task<Results<Ok<BatchClassifyResponse>, ProblemHttpResult, ValidationProblem>> BatchAsync(
        HttpContext context, [FromQuery] string? models, [FromQuery] bool? segments, WavDecoder decoder, ModelHost host,
        ClassificationService classification, IOptions<InferenceOptions> inference, IOptions<AudioOptions> audio,
        CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Upload refused", "Send multipart/form-data with parts named 'files'.");
        if (Requested(models, host) is not { } requested)
            return Problems.Invalid("models", $"Unknown model(s) in '{models}'; use {string.Join(", ", ModelArchitectures.All)}.");
        IReadOnlyList<IFormFile> files;
        try
        {
            files = (await context.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false)).Files.GetFiles("files");
        }
        catch (InvalidDataException e)
        {
            return UnreadableBody(e);
        }
        catch (IOException e)
        {
            return UnreadableBody(e);
        }
        if (files.Count == 0) return Problems.Invalid("files", "Send one or more parts named 'files'.");
        if (files.Count > inference.Value.MaxBatchFiles)
            return Problems.Invalid("files", $"At most {inference.Value.MaxBatchFiles} files per request (Ser:Inference:MaxBatchFiles).");
        if (files.Sum(f => f.Length) > audio.Value.MaxBytes)
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Upload refused",
                $"The files add up to more than the limit of {audio.Value.MaxBytes} bytes (Ser:Audio:MaxBytes).");
        var items = await Task.WhenAll(files.Select(async (file, i) =>
        {
            var outcome = await ScoreAsync(async () =>
            {
                await using var stream = file.OpenReadStream();
                return await decoder.DecodeAsync(stream, cancellationToken).ConfigureAwait(false);
            }, requested, segments == true, host, classification, cancellationToken).ConfigureAwait(false);
            var name = string.IsNullOrEmpty(file.FileName) ? $"file{i}" : file.FileName;
            return new BatchItem(name, outcome.Problem?.Status ?? StatusCodes.Status200OK, outcome.Result, outcome.Problem);
        })).ConfigureAwait(false);
        return TypedResults.Ok(new BatchClassifyResponse(items));
    }

    // Null when ?models= names something unknown (or nothing); no ?models= means every loaded model.
    private static string[]? Requested(string? models, ModelHost host)
    {
        if (models is null) return ModelArchitectures.All.Where(host.Active.ContainsKey).ToArray();
        var named = models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        return named.Length > 0 && named.All(ModelArchitectures.All.Contains) ? named : null;
    }

    private sealed record Outcome(ClassifyResponse? Result, ProblemDetails? Problem, int? RetryAfter = null);

    // Reads, decodes, checks and scores one clip; every refusal becomes a problem with the status API.md gives.
    private static async Task<Outcome> ScoreAsync(Func<Task<DecodedAudio>> read, string[] requested, bool segments, ModelHost host,
        ClassificationService classification, CancellationToken cancellationToken)
    {
        DecodedAudio audio;
        try
        {
            audio = await read().ConfigureAwait(false);
        }
        catch (UploadException e)
        {
            return Problem(e.Status, "Upload refused", e.Message);
        }
        catch (InvalidDataException e)
        {
            return Problem(StatusCodes.Status400BadRequest, UnreadableTitle, UnreadableDetail(e));
        }
        catch (IOException e)
        {
            return Problem(StatusCodes.Status400BadRequest, UnreadableTitle, UnreadableDetail(e));
        }
        catch (AudioFormatException e)
        {
            return e.Error switch
            {
                AudioError.NotWave => Problem(StatusCodes.Status415UnsupportedMediaType, "Not a WAV file",
                    e.Message + " Accepted: RIFF/WAVE (PCM, IEEE float, µ-law, A-law)."),
                AudioError.TooLarge or AudioError.TooLong => Problem(StatusCodes.Status413PayloadTooLarge, "Audio too large", e.Message),
                _ => Problem(StatusCodes.Status400BadRequest, "Malformed audio", e.Message),
            };
        }
        if (audio.Samples.Length < MinSamples)
            return Problem(StatusCodes.Status400BadRequest, "Audio too short",
                $"The clip lasts {audio.DurationSeconds * 1000:0.#} ms at 16 kHz; at least 25 ms are needed.");
        var missing = requested.Length == 0 ? ModelArchitectures.All.ToArray() : requested.Where(m => !host.Active.ContainsKey(m)).ToArray();
        if (missing.Length > 0) return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", NoModel(missing), 30);
        try
        {
            return new Outcome(await classification.ClassifyAsync(audio, requested, segments, cancellationToken).ConfigureAwait(false), null);
        }
        catch (QueueFullException e)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The {e.Architecture} queue is full; retry shortly.", 1);
        }
        catch (ModelUnavailableException e)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", NoModel([e.Architecture]), 30);
        }
    }

    // ASP.NET Core's form reader throws these for a malformed multipart body (bad boundary, broken part headers, early end).
    private const string UnreadableTitle = "Malformed upload";

    private static string UnreadableDetail(Exception e) => $"The request body could not be read: {e.Message}";

    private static ProblemHttpResult UnreadableBody(Exception e) =>
        Problems.Create(StatusCodes.Status400BadRequest, UnreadableTitle, UnreadableDetail(e));

    private static Outcome Problem(int status, string title, string detail, int? retryAfter = null) =>
        new(null, new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://ser.dev/problems/{status}" }, retryAfter);

    private static string NoModel(IEnumerable<string> architectures) =>
        $"No model is loaded for {string.Join(" and ", architectures)}. It appears when training finishes, or activate a succeeded run with "
        + "POST /models/{architecture}/activate, or set Ser:Models:{architecture}:Path to a model folder; /health/ready shows progress.";
}
