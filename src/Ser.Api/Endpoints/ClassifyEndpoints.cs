using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ser.Api.Classification;
using Ser.Api.Contracts;
using Ser.Api.Serving;
using Ser.Core.Audio;
using Ser.Core.Models;

namespace Ser.Api.Endpoints;

/// <summary><c>POST /classify</c>: a WAV in, both models' emotion probabilities out.</summary>
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
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Ok<ClassifyResponse>, ProblemHttpResult, ValidationProblem>> ClassifyAsync(
        HttpContext context, [FromQuery] string? models, [FromQuery] bool? segments, UploadReader uploads, ModelHost host,
        ClassificationService classification, CancellationToken cancellationToken)
    {
        var requested = models is null
            ? ModelArchitectures.All.Where(host.Active.ContainsKey).ToArray()
            : models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        var unknown = requested.Where(m => !ModelArchitectures.All.Contains(m)).ToArray();
        if (unknown.Length > 0 || (models is not null && requested.Length == 0))
            return Problems.Invalid("models", $"Unknown model(s) '{string.Join(", ", unknown)}'; use {string.Join(", ", ModelArchitectures.All)}.");

        DecodedAudio audio;
        try
        {
            audio = await uploads.ReadAsync(context.Request, cancellationToken).ConfigureAwait(false);
        }
        catch (UploadException e)
        {
            return Problems.Create(e.Status, "Upload refused", e.Message);
        }
        catch (AudioFormatException e)
        {
            var (status, title) = e.Error switch
            {
                AudioError.NotWave => (StatusCodes.Status415UnsupportedMediaType, "Not a WAV file"),
                AudioError.TooLarge or AudioError.TooLong => (StatusCodes.Status413PayloadTooLarge, "Audio too large"),
                _ => (StatusCodes.Status400BadRequest, "Malformed audio"),
            };
            var detail = e.Error == AudioError.NotWave ? e.Message + " Accepted: RIFF/WAVE (PCM, IEEE float, µ-law, A-law)." : e.Message;
            return Problems.Create(status, title, detail);
        }
        if (audio.Samples.Length < MinSamples)
            return Problems.Create(StatusCodes.Status400BadRequest, "Audio too short",
                $"The clip lasts {audio.DurationSeconds * 1000:0.#} ms at 16 kHz; at least 25 ms are needed.");

        var missing = requested.Where(m => !host.Active.ContainsKey(m)).ToArray();
        if (requested.Length == 0 || missing.Length > 0)
            return Problems.Unavailable(context, 30, NoModel(requested.Length == 0 ? ModelArchitectures.All : missing));
        try
        {
            return TypedResults.Ok(await classification.ClassifyAsync(audio, requested, segments == true, cancellationToken).ConfigureAwait(false));
        }
        catch (QueueFullException e)
        {
            return Problems.Unavailable(context, 1, $"The {e.Architecture} queue is full; retry shortly.");
        }
        catch (ModelUnavailableException e)
        {
            return Problems.Unavailable(context, 30, NoModel([e.Architecture]));
        }
    }

    private static string NoModel(IEnumerable<string> architectures) =>
        $"No model is loaded for {string.Join(" and ", architectures)}. It appears when training finishes, or activate a succeeded run with "
        + "POST /models/{architecture}/activate, or set Ser:Models:{architecture}:Path to a model folder; /health/ready shows progress.";
}
