using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Ser.Api.Classification.Contracts;
using Ser.Api.Hosting;
using Ser.Api.Hosting.Health;
using Ser.Api.Models;
using Ser.Core.Audio;
using Ser.Core.Models;
using Serilog;

namespace Ser.Api.Classification;

/// <summary><c>POST /classify</c> and <c>POST /classify/batch</c>: WAVs in, both models' emotion probabilities out.</summary>
public static class ClassifyEndpoints
{
    public static IEndpointRouteBuilder MapClassifyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/classify", ClassifyAsync).WithName("Classify").WithTags("Classification")
            .WithSummary("Classify one WAV with every active model (or those named in ?models=).")
            .WithDescription("Send multipart/form-data with a part named 'file', or a raw body of type audio/wav (audio/x-wav, audio/wave, "
                + "audio/vnd.wave, application/octet-stream). Clips longer than Ser:Inference:WindowSeconds are scored in overlapping windows; "
                + "Long clips are scored on their speech (energy-based voice-activity detection). ?segments=true adds the per-window timeline "
                + "(with Accept: text/html, as a page: see GET /timeline).")
            .Produces<ClassifyResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter<ClassifyAuthorization>().RequireClassifyRateLimit()
            .DisableAntiforgery();
        app.MapGet("/timeline", () => Results.Content(TimelinePage.Form(), "text/html; charset=utf-8")).WithName("Timeline").WithTags("Classification")
            .WithSummary("A page to upload a clip and see both models' timeline (POST /classify?segments=true answers it as HTML).")
            .ExcludeFromDescription();
        app.MapPost("/classify/batch", BatchAsync).WithName("ClassifyBatch").WithTags("Classification")
            .WithSummary("Classify several WAVs (multipart parts named 'files'); results in request order, each with its own status.")
            .Produces<BatchClassifyResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter<ClassifyAuthorization>().RequireClassifyRateLimit()
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Ok<ClassifyResponse>, ContentHttpResult, ProblemHttpResult, ValidationProblem>> ClassifyAsync(
        HttpContext context, [FromQuery] string? models, [FromQuery] bool? segments, UploadReader uploads, WavDecoder decoder, UploadBudget budget,
        ModelHost host, ClassificationService classification, ServiceReadiness readiness, IDiagnosticContext diagnostics, CancellationToken cancellationToken)
    {
        if (Requested(models, host) is not { } requested)
            return Problems.Invalid("models", $"Unknown model(s) in '{models}'; use {string.Join(", ", ModelArchitectures.All)}.");
        // Cheap refusals first: nothing is read or decoded for a model that is not there.
        var outcome = Missing(requested, host);
        if (outcome is null)
        {
            try
            {
                using var upload = await uploads.ReadAsync(context.Request, "file", 1, decoder.Options.MaxSeconds, cancellationToken).ConfigureAwait(false);
                var probes = Probe(upload, decoder);
                outcome = await ScoreAsync(upload, 0, probes[0], decoder, budget, Needs(requested, host), segments == true, classification, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (UploadException e)
            {
                outcome = Problem(e.Status, e.Status == StatusCodes.Status503ServiceUnavailable ? "Service unavailable" : "Upload refused", e.Message, e.RetryAfterSeconds);
            }
        }
        if (outcome.Result is { } result)
        {
            // The request's one log line carries what answered and how fast; never audio or file names.
            diagnostics.Set("AudioSeconds", result.Audio.DurationSeconds);
            diagnostics.Set("Models", result.Predictions.ToDictionary(p => p.Key, p => $"{p.Value.RunId ?? p.Value.Preset}: {p.Value.LatencyMs} ms"));
            // A browser's upload from /timeline asks for a page.
            if (segments == true && context.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true))
                return TypedResults.Content(TimelinePage.Render(result), "text/html; charset=utf-8");
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
        HttpContext context, [FromQuery] string? models, [FromQuery] bool? segments, UploadReader uploads, WavDecoder decoder, UploadBudget budget,
        ModelHost host, ClassificationService classification, IOptions<InferenceOptions> inference, ClassifyRateLimiter limiter,
        CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Upload refused", "Send multipart/form-data with parts named 'files'.");
        if (Requested(models, host) is not { } requested)
            return Problems.Invalid("models", $"Unknown model(s) in '{models}'; use {string.Join(", ", ModelArchitectures.All)}.");
        if (Missing(requested, host) is { } missing)
            return Problems.Unavailable(context, missing.RetryAfter ?? 30, missing.Problem!.Detail!);
        Upload upload;
        try
        {
            upload = await uploads.ReadAsync(context.Request, "files", inference.Value.MaxBatchFiles, inference.Value.MaxBatchAudioSeconds, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (UploadException e)
        {
            if (e.RetryAfterSeconds is { } retry) return Problems.Unavailable(context, retry, e.Message);
            return e.Status == StatusCodes.Status400BadRequest ? Problems.Invalid("files", e.Message) : Problems.Create(e.Status, "Upload refused", e.Message);
        }
        using (upload)
        {
            // Rate limit: a permit per clip, before any decoding (the middleware took the first).
            if (!limiter.TryAcquireClips(context, upload.Files.Count, out var retryAfter))
                return RateLimitExtensions.TooManyClips(context, limiter.PermitsPerMinute, retryAfter);
            // Every file's header first: a batch of more audio than allowed is refused before any is decoded.
            var probes = Probe(upload, decoder);
            var seconds = probes.Sum(p => p.Probe?.Seconds ?? 0);
            if (seconds > inference.Value.MaxBatchAudioSeconds)
                return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Upload refused",
                    $"The files hold {seconds:0.#} s of audio in all; the limit per request is {inference.Value.MaxBatchAudioSeconds:0.#} s (Ser:Inference:MaxBatchAudioSeconds).");
            var needs = Needs(requested, host);
            var items = await Task.WhenAll(upload.Files.Select(async (file, i) =>
            {
                var outcome = await ScoreAsync(upload, i, probes[i], decoder, budget, needs, segments == true, classification, cancellationToken)
                    .ConfigureAwait(false);
                var name = string.IsNullOrEmpty(file.FileName) ? $"file{i}" : file.FileName;
                return new BatchItem(name, outcome.Problem?.Status ?? StatusCodes.Status200OK, outcome.Result, outcome.Problem);
            })).ConfigureAwait(false);
            return TypedResults.Ok(new BatchClassifyResponse(items));
        }
    }

    // Null when ?models= names something unknown (or nothing); no ?models= means every loaded model.
    private static string[]? Requested(string? models, ModelHost host)
    {
        if (models is null) return ModelArchitectures.All.Where(host.Active.ContainsKey).ToArray();
        var named = models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        return named.Length > 0 && named.All(ModelArchitectures.All.Contains) ? named : null;
    }

    private static Outcome? Missing(string[] requested, ModelHost host)
    {
        var missing = requested.Length == 0 ? ModelArchitectures.All.ToArray() : requested.Where(m => !host.Active.ContainsKey(m)).ToArray();
        return missing.Length > 0 ? Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", NoModel(missing), 30) : null;
    }

    private sealed record Outcome(ClassifyResponse? Result, ProblemDetails? Problem, int? RetryAfter = null);

    /// <summary>The requested models and the fewest samples the most demanding of them needs.</summary>
    private sealed record Request(string[] Architectures, int MinSamples, string? MinSamplesBy);

    // Each served model says how short a clip it can frame; a swap meanwhile pads rather than fails.
    private static Request Needs(string[] requested, ModelHost host)
    {
        var (minimum, by) = (1, (string?)null);
        foreach (var architecture in requested)
            if (host.Active.TryGetValue(architecture, out var model) && model.Classifier.MinSamples > minimum)
                (minimum, by) = (model.Classifier.MinSamples, architecture);
        return new Request(requested, minimum, by);
    }

    // Checks, decodes (within the memory budget and the decode slots) and scores one file; every refusal becomes a
    // problem with the status API.md gives. The decoded samples' share of the budget is given back once scored.
    private static async Task<Outcome> ScoreAsync(Upload upload, int index, Probed probed, WavDecoder decoder, UploadBudget budget, Request request,
        bool segments, ClassificationService classification, CancellationToken cancellationToken)
    {
        try
        {
            DecodedAudio audio;
            try
            {
                if (probed.Error is { } error) throw error;
                using (await budget.DecodeSlotAsync(cancellationToken).ConfigureAwait(false))
                    audio = decoder.Decode(upload.Bytes(index));
            }
            catch (UploadException e)
            {
                return Problem(e.Status, e.Status == StatusCodes.Status503ServiceUnavailable ? "Service unavailable" : "Upload refused", e.Message, e.RetryAfterSeconds);
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
            if (audio.Samples.Length < request.MinSamples)
                return Problem(StatusCodes.Status400BadRequest, "Audio too short",
                    $"The clip lasts {audio.DurationSeconds * 1000:0.#} ms at 16 kHz; the {request.MinSamplesBy ?? "requested"} model needs at least "
                    + $"{request.MinSamples * 1000.0 / DecodedAudio.SampleRate:0.#} ms ({request.MinSamples} samples).");
            return new Outcome(await classification.ClassifyAsync(audio, request.Architectures, segments, cancellationToken).ConfigureAwait(false), null);
        }
        catch (QueueFullException e)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The {e.Architecture} queue is full; retry shortly.", 1);
        }
        catch (ModelOverloadedException e)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The {e.Architecture} model ran out of memory on this batch; retry shortly.", 5);
        }
        catch (ModelUnavailableException e)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", NoModel([e.Architecture]), 30);
        }
        finally
        {
            upload.Reservation.Shrink(probed.Probe?.DecodedBytes ?? 0);
        }
    }

    private sealed record Probed(WavProbe? Probe, AudioFormatException? Error);

    // Reads every file's header, and keeps in the budget only what they decode to.
    private static Probed[] Probe(Upload upload, WavDecoder decoder)
    {
        var probes = upload.Files.Select((_, i) =>
        {
            try
            {
                return new Probed(decoder.Probe(upload.Bytes(i)), null);
            }
            catch (AudioFormatException e)
            {
                return new Probed(null, e);
            }
        }).ToArray();
        upload.SettleDecoded(probes.Sum(p => p.Probe?.DecodedBytes ?? 0));
        return probes;
    }

    private static Outcome Problem(int status, string title, string detail, int? retryAfter = null) =>
        new(null, new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://ser.dev/problems/{status}" }, retryAfter);

    private static string NoModel(IEnumerable<string> architectures) =>
        $"No model is loaded for {string.Join(" and ", architectures)}. It appears when training finishes, or activate a succeeded run with "
        + "POST /models/{architecture}/activate, or set Ser:Models:{architecture}:Path to a model folder; /health/ready shows progress.";
}
