using System.Text.Json;
using Ser.Core.Evaluation;
using Ser.Core.IO;
using Ser.Core.Models.Checkpoints;

namespace Ser.Core.Models;

/// <summary>A model's temperature, fitted on its run's validation clips, and those clips' calibrated confidences and
/// correctness (from which a serving threshold for a target coverage or risk is chosen). Saved in the model folder as
/// <c>calibration.json</c>, so it travels with the model.</summary>
public sealed record ModelCalibration(double Temperature, int ValidationClips, double NllBefore, double NllAfter, double EceBefore, double EceAfter,
    IReadOnlyList<double> Confidences, IReadOnlyList<bool> Correct)
{
    public const string FileName = "calibration.json";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Fits the temperature on validation probabilities; with no clips, T = 1 (nothing to fit on).</summary>
    public static ModelCalibration Fit(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth)
    {
        var temperature = TemperatureScaling.Fit(probabilities, truth);
        var calibrated = probabilities.Select(p => TemperatureScaling.Apply(p, temperature)).ToArray();
        var top = calibrated.Select(p => Array.IndexOf(p, p.Max())).ToArray();
        return new ModelCalibration(temperature, probabilities.Count,
            Math.Round(TemperatureScaling.NegativeLogLikelihood(probabilities, truth, 1), 6),
            Math.Round(TemperatureScaling.NegativeLogLikelihood(probabilities, truth, temperature), 6),
            Math.Round(Calibration.ExpectedCalibrationError(probabilities, truth), 6), Math.Round(Calibration.ExpectedCalibrationError(calibrated, truth), 6),
            calibrated.Select((p, i) => Math.Round(p[top[i]], 6)).ToArray(), top.Select((t, i) => t == truth[i]).ToArray());
    }

    /// <summary>The validation clips as a risk–coverage curve (calibrated confidences).</summary>
    public RiskCoverage Validation => new(Confidences.Zip(Correct));

    public float[] Apply(IReadOnlyList<float> probabilities) => TemperatureScaling.Apply(probabilities, Temperature);

    public void Save(string modelFolder) => AtomicFile.WriteAllText(Path.Combine(modelFolder, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>The folder's calibration, or null when it has none (a folder from elsewhere, a run made before calibration).</summary>
    /// <exception cref="CheckpointException">The file is there but unreadable or inconsistent.</exception>
    public static ModelCalibration? TryLoad(string modelFolder)
    {
        var path = Path.Combine(modelFolder, FileName);
        if (!File.Exists(path)) return null;
        ModelCalibration? calibration;
        try
        {
            calibration = JsonSerializer.Deserialize<ModelCalibration>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"'{path}' is not a calibration file: {e.Message}", e);
        }
        if (calibration is null || !(calibration.Temperature is > 0 and < 1e6) || calibration.Confidences is null || calibration.Correct is null
            || calibration.Confidences.Count != calibration.Correct.Count)
            throw new CheckpointException($"'{path}' is not a valid calibration file (temperature must be positive; confidences and correct of equal length).");
        return calibration;
    }
}
