using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ser.Core.Data.Splits;
using Ser.Core.Data;
using Ser.Core.Evaluation;
using Ser.Core.IO;
using Ser.Training.Loops;

namespace Ser.Training.Runs;

/// <summary>The files of runs under <c>{root}/{runId}/</c>: spec.json, status.json, split.json, environment.json,
/// metrics.jsonl, training.json, checkpoints/, model/, evaluation.json, predictions.csv. Every write is atomic.</summary>
public sealed class RunStore(string root)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Root { get; } = Path.GetFullPath(root);

    public string Directory(string runId)
    {
        if (string.IsNullOrWhiteSpace(runId) || runId.IndexOfAny(['/', '\\']) >= 0 || runId.Contains("..", StringComparison.Ordinal))
            throw new ArgumentException($"'{runId}' is not a run id.", nameof(runId));
        return Path.Combine(Root, runId);
    }

    public string Checkpoints(string runId) => Path.Combine(Directory(runId), "checkpoints");

    public string Model(string runId) => Path.Combine(Directory(runId), "model");

    public bool Exists(string runId) => File.Exists(Path.Combine(Directory(runId), "spec.json"));

    /// <summary>Removes a run's folder (a run whose creation was rolled back).</summary>
    public void Delete(string runId)
    {
        var folder = Directory(runId);
        if (System.IO.Directory.Exists(folder)) System.IO.Directory.Delete(folder, recursive: true);
    }

    public void WriteSpec(RunSpec spec) => Write(spec.RunId, "spec.json", spec);

    public RunSpec ReadSpec(string runId) => Read<RunSpec>(runId, "spec.json");

    /// <summary>Writes the copy of a run's state; <see cref="TrainingRunner"/> does, right after the registry row.</summary>
    public void WriteStatus(string runId, RunStatus status) => Write(runId, "status.json", status);

    public RunStatus ReadStatus(string runId) =>
        File.Exists(Path.Combine(Directory(runId), "status.json")) ? Read<RunStatus>(runId, "status.json") : new RunStatus(RunState.Queued);

    public void WriteSplit(string runId, DataSplit split) => split.Save(Path.Combine(Directory(runId), "split.json"));

    public DataSplit? ReadSplit(string runId)
    {
        var path = Path.Combine(Directory(runId), "split.json");
        return File.Exists(path) ? DataSplit.Load(path) : null;
    }

    public void WriteLeakage(string runId, LeakageAudit audit) => Write(runId, "leakage.json", audit);

    /// <summary>What the run's split shares between its sides, or null (runs made before the audit existed).</summary>
    public LeakageAudit? ReadLeakage(string runId) =>
        File.Exists(Path.Combine(Directory(runId), "leakage.json")) ? Read<LeakageAudit>(runId, "leakage.json") : null;

    public void WriteEnvironment(string runId, RunEnvironment environment) => Write(runId, "environment.json", environment);

    public void WriteTraining(string runId, TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Write(runId, "training.json", result);
        WriteMetrics(runId, result.History);
    }

    /// <summary>metrics.jsonl: one line per finished epoch, the whole file replaced atomically (a resumed run's history
    /// starts from its checkpoint's, so no epoch is written twice).</summary>
    public void WriteMetrics(string runId, IEnumerable<EpochMetrics> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var lines = new StringBuilder();
        foreach (var epoch in history) lines.AppendLine(JsonSerializer.Serialize(epoch, Compact));
        AtomicFile.WriteAllText(Path.Combine(Directory(runId), "metrics.jsonl"), lines.ToString());
    }

    public RunEnvironment? ReadEnvironment(string runId) =>
        File.Exists(Path.Combine(Directory(runId), "environment.json")) ? Read<RunEnvironment>(runId, "environment.json") : null;

    public TrainingResult? ReadTraining(string runId) =>
        File.Exists(Path.Combine(Directory(runId), "training.json")) ? Read<TrainingResult>(runId, "training.json") : null;

    public void WriteEvaluation(string runId, EvaluationReport report)
    {
        Write(runId, "evaluation.json", report with { Predictions = [] });
        var csv = new StringBuilder("id,truth,predicted,correct,sex,intensity," + string.Join(',', EmotionLabels.All.Select(l => "p_" + l)) + "\n");
        foreach (var p in report.Predictions)
            csv.Append(CultureInfo.InvariantCulture, $"{p.Id},{EmotionLabels.All[p.Truth]},{EmotionLabels.All[p.Predicted]},{p.Correct},{p.Sex},{p.Intensity},")
               .AppendJoin(',', p.Probabilities.Select(v => v.ToString("0.######", CultureInfo.InvariantCulture))).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(Directory(runId), "predictions.csv"), csv.ToString());
        Write(runId, "predictions.json", report.Predictions);
    }

    public void WriteBf16Drift(string runId, PrecisionDrift drift) => Write(runId, "bf16-drift.json", drift);

    /// <summary>The run's measured bfloat16 drift, or null (runs made before it was measured, unfinished runs).</summary>
    public PrecisionDrift? ReadBf16Drift(string runId) =>
        File.Exists(Path.Combine(Directory(runId), "bf16-drift.json")) ? Read<PrecisionDrift>(runId, "bf16-drift.json") : null;

    /// <summary>The evaluation with its per-clip predictions, or null before the run succeeded.</summary>
    public EvaluationReport? ReadEvaluation(string runId)
    {
        var dir = Directory(runId);
        if (!File.Exists(Path.Combine(dir, "evaluation.json"))) return null;
        var report = Read<EvaluationReport>(runId, "evaluation.json");
        var predictions = File.Exists(Path.Combine(dir, "predictions.json")) ? Read<List<ClipPrediction>>(runId, "predictions.json") : [];
        return report with { Predictions = predictions };
    }

    private static readonly JsonSerializerOptions Compact = new(Json) { WriteIndented = false };

    private void Write<T>(string runId, string file, T value) =>
        AtomicFile.WriteAllText(Path.Combine(Directory(runId), file), JsonSerializer.Serialize(value, Json));

    private T Read<T>(string runId, string file) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(Directory(runId), file)), Json)
        ?? throw new InvalidDataException($"{file} of run {runId} is empty.");
}
