using System.Diagnostics;
using Microsoft.Extensions.Options;
using Ser.Api.Classification.Contracts;
using Ser.Core.Audio;
using Ser.Core.Data;
using Ser.Core.Diagnostics;

namespace Ser.Api.Classification;

/// <summary>Scores a decoded clip with each requested model: windows for long clips, queued to the batcher, then
/// the duration-weighted mean of the windows, the top label, agreement between models and the optional timeline.</summary>
public sealed class ClassificationService(InferenceBatcher batcher, IOptions<InferenceOptions> options)
{
    private readonly InferenceOptions _options = options.Value;

    public async Task<ClassifyResponse> ClassifyAsync(DecodedAudio audio, IReadOnlyList<string> architectures, bool segments,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(architectures);
        var rate = DecodedAudio.SampleRate;
        var window = (int)(_options.WindowSeconds * rate);
        var regions = SpeechRegions(audio.Samples, window);
        var cuts = regions.SelectMany(r => AudioWindows.Cut(r.Length, window, (int)(_options.HopSeconds * rate))
            .Select(c => (Start: r.Start + c.Start, c.Length))).ToList();
        var windows = cuts.Select(c => (ReadOnlyMemory<float>)audio.Samples.AsMemory(c.Start, c.Length)).ToArray();
        // The batch spans the batcher starts link back to this one (their passes may serve several requests).
        using var activity = SerTelemetry.Source.StartActivity("ser.classify");
        activity?.SetTag(SerTelemetry.WindowsTag, cuts.Count);
        activity?.SetTag("ser.models", string.Join(',', architectures));
        activity?.SetTag("ser.audio.seconds", Math.Round(audio.DurationSeconds, 3));
        var started = Stopwatch.GetTimestamp();
        var scored = await Task.WhenAll(architectures.Select(async a =>
        {
            var result = await batcher.ScoreAsync(a, windows, cancellationToken).ConfigureAwait(false);
            return (Architecture: a, Result: result, LatencyMs: Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        })).ConfigureAwait(false);

        var predictions = new Dictionary<string, ModelPrediction>(StringComparer.Ordinal);
        var means = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var calibrated = new List<(string Architecture, IReadOnlyList<float[]> Windows, double Below)>();
        foreach (var (architecture, result, latency) in scored)
        {
            // Labelled and calibrated by the model that scored it: a hot swap meanwhile changes neither.
            var model = result.Model;
            var windowProbabilities = model.Calibration is { } calibration ? result.Windows.Select(calibration.Apply).ToArray() : result.Windows;
            var below = model.Abstain?.Below ?? _options.AbstainBelow;
            calibrated.Add((architecture, windowProbabilities, below));
            var mean = WeightedMean(windowProbabilities, cuts);
            means[architecture] = mean;
            var top = Array.IndexOf(mean, mean.Max());
            predictions[architecture] = new ModelPrediction(EmotionLabels.All[top], Math.Round(mean[top], 6), mean[top] < below,
                Named(mean), model.RunId, model.Classifier.Preset, Math.Round(latency, 1), model.Classifier.LabelsSupported)
            {
                UncertainBelow = below,
                Temperature = model.Calibration?.Temperature,
            };
        }
        var warnings = audio.Quality.Warnings.ToList();
        if (cuts.Count > 1) warnings.Add("long");
        var q = audio.Quality;
        return new ClassifyResponse(EmotionLabels.All,
            new AudioInfo(Math.Round(audio.DurationSeconds, 4), audio.SourceSampleRate, audio.SourceChannels, audio.SourceEncoding.ToString().ToLowerInvariant(),
                new QualityInfo(Math.Round(q.PeakDbfs, 2), Math.Round(q.RmsDbfs, 2), Math.Round(q.ClippedFraction, 6), Math.Round(q.SilentFraction, 4),
                    Math.Round(q.SnrDb, 2), warnings)),
            predictions,
            means.Count >= 2 ? Agree(means.Values.Take(2).ToArray()) : null,
            segments ? Timeline(cuts, calibrated, rate) : null)
        {
            Speech = segments ? regions.Select(r => new SpeechSpan(Math.Round((double)r.Start / rate, 3), Math.Round((double)r.End / rate, 3))).ToArray() : null,
        };
    }

    // Long clips are scored on their speech only; a clip of one window, or one with nothing loud enough, is scored whole.
    private static IReadOnlyList<SpeechRegion> SpeechRegions(float[] samples, int window)
    {
        var whole = new SpeechRegion(0, samples.Length);
        if (samples.Length <= window) return [whole];
        var speech = VoiceActivity.Detect(samples, DecodedAudio.SampleRate);
        return speech.Count > 0 ? speech : [whole];
    }

    private static double[] WeightedMean(IReadOnlyList<float[]> windows, IReadOnlyList<(int Start, int Length)> cuts)
    {
        var mean = new double[EmotionLabels.Count];
        double total = cuts.Sum(c => (double)c.Length);
        for (var w = 0; w < windows.Count; w++)
            for (var k = 0; k < mean.Length; k++) mean[k] += windows[w][k] * cuts[w].Length / total;
        return mean;
    }

    private static Dictionary<string, double> Named(IReadOnlyList<double> p) =>
        EmotionLabels.All.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => Math.Round(p[x.i], 6), StringComparer.Ordinal);

    private static Agreement Agree(double[][] pair)
    {
        var (p, q) = (pair[0], pair[1]);
        var m = p.Zip(q, (a, b) => (a + b) / 2).ToArray();
        static double Kl(double[] a, double[] b) => a.Select((v, i) => v > 0 && b[i] > 0 ? v * Math.Log2(v / b[i]) : 0).Sum();
        return new Agreement(Array.IndexOf(p, p.Max()) == Array.IndexOf(q, q.Max()), Math.Round(Math.Clamp((Kl(p, m) + Kl(q, m)) / 2, 0, 1), 6));
    }

    private static List<Segment> Timeline(IReadOnlyList<(int Start, int Length)> cuts,
        IReadOnlyList<(string Architecture, IReadOnlyList<float[]> Windows, double Below)> scored, int rate) =>
        cuts.Select((c, w) =>
        {
            var predictions = scored.ToDictionary(s => s.Architecture, s =>
            {
                var p = s.Windows[w].Select(v => (double)v).ToArray();
                var top = Array.IndexOf(p, p.Max());
                return new SegmentPrediction(EmotionLabels.All[top], Named(p)) { Confidence = Math.Round(p[top], 6), Uncertain = p[top] < s.Below };
            }, StringComparer.Ordinal);
            return new Segment(Math.Round((double)c.Start / rate, 3), Math.Round((double)(c.Start + c.Length) / rate, 3), predictions)
            {
                Agree = predictions.Count >= 2 ? predictions.Values.Select(p => p.Label).Distinct().Count() == 1 : null,
            };
        }).ToList();
}
