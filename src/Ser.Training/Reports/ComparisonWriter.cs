using System.Globalization;
using System.Text;
using System.Text.Json;
using Ser.Core.Data;
using Ser.Core.IO;
using Ser.Training.Runs;

namespace Ser.Training.Reports;

/// <summary>Writes a comparison as <c>comparison.json</c>, <c>comparison.md</c> and PNG plots (confusion matrices,
/// per-class F1, learning curves) into a folder, which appears complete or not at all.</summary>
public static class ComparisonWriter
{
    public static void Write(ComparisonReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        AtomicDirectory.Write(directory, temp =>
        {
            File.WriteAllText(Path.Combine(temp, "comparison.json"), JsonSerializer.Serialize(report, RunStore.Json));
            File.WriteAllText(Path.Combine(temp, "comparison.md"), Markdown(report));
            foreach (var run in report.Runs) ComparisonPlots.Confusion(run, Path.Combine(temp, $"confusion-{run.RunId}.png"));
            ComparisonPlots.PerClassF1(report, Path.Combine(temp, "per-class-f1.png"));
            ComparisonPlots.LearningCurves(report, Path.Combine(temp, "learning-curves.png"));
        });
    }

    public static string Markdown(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Model comparison").AppendLine();
        md.AppendLine(c, $"Split `{report.Split.Hash[..12]}` ({report.Split.Strategy}, seed {report.Split.Seed}, "
            + $"{(report.Split.SpeakerIndependent ? "speaker-independent" : "speaker-dependent")}), {report.Split.TestClips} test clips.").AppendLine();
        md.AppendLine("| run | model | WA (95 % CI) | UA (95 % CI) | macro-F1 (95 % CI) | ECE | training |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in report.Runs)
        {
            var m = r.Metrics;
            md.AppendLine(c, $"| {r.RunId} | {r.Architecture} ({r.Preset}) | {F(m.Wa.Value)} ({F(m.Wa.Ci95[0])}–{F(m.Wa.Ci95[1])}) | "
                + $"{F(m.Ua.Value)} ({F(m.Ua.Ci95[0])}–{F(m.Ua.Ci95[1])}) | {F(m.MacroF1.Value)} ({F(m.MacroF1.Ci95[0])}–{F(m.MacroF1.Ci95[1])}) | "
                + $"{m.Ece:0.000} | {r.Training.Seconds:0} s on {r.Training.Device}, {r.Training.Epochs} epochs |");
        }
        md.AppendLine().AppendLine("Per-class F1:").AppendLine();
        md.AppendLine("| run | " + string.Join(" | ", EmotionLabels.All) + " |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", EmotionLabels.Count)));
        foreach (var r in report.Runs) md.AppendLine(c, $"| {r.RunId} | {string.Join(" | ", r.Metrics.PerClass.Select(p => F(p.F1)))} |");
        md.AppendLine();
        if (report.McNemar is { } test)
            md.AppendLine(c, $"McNemar ({report.Runs[0].RunId} vs {report.Runs[1].RunId}): b = {test.B}, c = {test.C}, p = {test.PValue:0.0000}.").AppendLine();
        foreach (var g in report.Inflation)
            md.AppendLine(c, $"Speaker-overlap inflation, {g.Architecture} ({g.DependentRun} random vs {g.IndependentRun} speaker-independent): "
                + $"WA {g.Wa.Value:+0.000;-0.000} ({F(g.Wa.Ci95[0])}–{F(g.Wa.Ci95[1])}), UA {g.Ua.Value:+0.000;-0.000} ({F(g.Ua.Ci95[0])}–{F(g.Ua.Ci95[1])}).").AppendLine();
        md.AppendLine(report.Human is { } human
            ? string.Create(c, $"Human baseline (crowd, audio only, same clips): WA {F(human.Wa)}, UA {F(human.Ua)} on {human.Clips} clips ({human.Rule}).")
            : $"Human baseline: absent — {report.HumanAbsentReason}.");
        foreach (var note in report.Notes) md.AppendLine().AppendLine("Note: " + note);
        return md.ToString();
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
