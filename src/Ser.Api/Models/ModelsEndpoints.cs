using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Ser.Api.Classification;
using Ser.Api.Hosting;
using Ser.Api.Hosting.Security;
using Ser.Api.Jobs;
using Ser.Api.Models.Contracts;
using Ser.Core.Models;
using Ser.Core.Models.Checkpoints;
using Ser.Core.Runtime;
using Microsoft.Extensions.Options;
using Ser.Training.Runs;

namespace Ser.Api.Models;

/// <summary>What is served, and hot swaps to another run.</summary>
public static class ModelsEndpoints
{
    public static IEndpointRouteBuilder MapModelsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/models").WithTags("Models");
        group.MapGet("/", List).WithName("ListModels").WithSummary("The loaded models and the active run of each architecture.");
        group.MapPost("/{architecture}/activate", ActivateAsync).WithName("ActivateModel")
            .WithSummary("Serve a succeeded run's model for its architecture (hot swap: requests in flight finish on the old one).")
            .AddEndpointFilter<StateChangeAuthorization>().WithMetadata(new RequestSizeLimitAttribute(JobsEndpoints.JsonBodyLimit))
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static Ok<ModelsResponse> List(ModelHost host, IOptions<InferenceOptions> inference)
    {
        var math = TorchRuntime.Initialize(); // made at start-up; the kept decision
        var bf16 = math.Cpu.Bf16Speed;
        return TypedResults.Ok(new ModelsResponse(
            ModelArchitectures.All.ToDictionary(a => a, a => host.Active.GetValueOrDefault(a)?.RunId),
            host.Active.Values.OrderBy(m => m.Architecture, StringComparer.Ordinal).Select(m => Describe(m, host, inference.Value)).ToArray(),
            new MathMode(inference.Value.Precision.ToString(), math.MatmulPrecision, math.Reason, math.ExactError, math.FastError, math.Cpu.Model,
                math.Cpu.Bf16Kernels, bf16.Faster, bf16.Reason)));
    }

    private static async Task<Results<Ok<LoadedModel>, ProblemHttpResult, ValidationProblem>> ActivateAsync(string architecture,
        ActivateRequest? body, ModelHost host, RunStore store, RunRegistry registry, IOptions<InferenceOptions> inference, CancellationToken cancellationToken)
    {
        if (!ModelArchitectures.All.Contains(architecture))
            return Problems.Create(StatusCodes.Status404NotFound, "Unknown architecture", $"'{architecture}' is not one of {string.Join(", ", ModelArchitectures.All)}.");
        if (string.IsNullOrWhiteSpace(body?.RunId)) return Problems.Invalid("runId", "The run id is required.");
        var run = registry.Find(body.RunId);
        if (run is null || !store.Exists(body.RunId))
            return Problems.Create(StatusCodes.Status404NotFound, "Unknown run", $"There is no run '{body.RunId}'.");
        if (run.Architecture != architecture)
            return Problems.Create(StatusCodes.Status409Conflict, "Wrong architecture", $"Run '{run.RunId}' trained a {run.Architecture} model, not {architecture}.");
        if (run.State != RunState.Succeeded || run.Kind != RunKinds.Train)
            return Problems.Create(StatusCodes.Status409Conflict, "Run not activatable",
                $"Run '{run.RunId}' is a {run.State.ToString().ToLowerInvariant()} {run.Kind} run; only succeeded training runs have a model to serve.");
        try
        {
            return TypedResults.Ok(Describe(await host.ActivateAsync(run.RunId, cancellationToken).ConfigureAwait(false), host, inference.Value));
        }
        catch (CheckpointException e)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Model cannot be loaded", PublicText.Redact(e.Message, Path.GetDirectoryName(store.Root))!);
        }
    }

    private static LoadedModel Describe(ServedModel m, ModelHost host, InferenceOptions options) =>
        new LoadedModel(m.Architecture, m.RunId, m.Classifier.Preset, m.Source, m.Classifier.ParameterCount, m.Dataset, m.SplitHash,
            m.TestMetrics is { } t ? new TestMetricsInfo(t.Wa, t.Ua, t.MacroF1) : null, m.Classifier.ModelLabels, m.Classifier.DeviceName, m.LoadedAt,
            m.Classifier.Precision.ToString(),
            m.Bf16Drift is { } d ? new Bf16DriftInfo(d.Clips, d.MeanAbsDiff, d.MaxAbsDiff, d.TopLabelAgreement, d.Cpu, d.Kernels) : null)
        {
            Calibration = new CalibrationInfo(m.Calibration?.Temperature, m.Calibration?.ValidationClips ?? 0, m.Calibration?.EceBefore,
                m.Calibration?.EceAfter, m.Abstain?.Below ?? options.AbstainBelow, m.Abstain?.Rule ?? "fixed", m.Abstain?.ValidationCoverage,
                m.Abstain?.ValidationAccuracy, m.Abstain?.Note),
            Pass = new PassInfo(PassThreadShares.For(m.Architecture, host.Active.Values, options, TorchSharp.torch.get_num_threads()),
                m.PassCost?.OneThread.TotalMilliseconds, m.PassCost?.AllThreads.TotalMilliseconds, m.PassCost?.Threads),
        };
}
