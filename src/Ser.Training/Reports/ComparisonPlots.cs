using ScottPlot;
using Ser.Core.Data;

namespace Ser.Training.Reports;

/// <summary>The report's PNG charts, drawn with ScottPlot.</summary>
internal static class ComparisonPlots
{
    public static void Confusion(RunComparison run, string path)
    {
        var labels = EmotionLabels.All;
        var matrix = run.Metrics.Confusion;
        var data = new double[labels.Count, labels.Count];
        for (var t = 0; t < labels.Count; t++)
        {
            var total = Math.Max(1, matrix[t].Sum());
            // Rows top-down as truth, columns as prediction, each row as recall fractions.
            for (var p = 0; p < labels.Count; p++) data[t, p] = (double)matrix[t][p] / total;
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        Ticks(plot.Axes.Bottom, labels);
        Ticks(plot.Axes.Left, labels.Reverse().ToArray());
        plot.Title($"{run.Architecture} ({run.RunId}): confusion, rows = truth");
        plot.SavePng(path, 640, 560);
    }

    public static void PerClassF1(ComparisonReport report, string path)
    {
        var plot = new Plot();
        var width = 0.8 / report.Runs.Count;
        for (var r = 0; r < report.Runs.Count; r++)
        {
            var bars = report.Runs[r].Metrics.PerClass.Select((m, i) => new Bar { Position = i + r * width - 0.4 + width / 2, Value = m.F1, Size = width })
                .ToArray();
            var series = plot.Add.Bars(bars);
            series.LegendText = $"{report.Runs[r].Architecture} ({report.Runs[r].RunId})";
            series.Color = Colors.Category10[r % 10];
        }
        Ticks(plot.Axes.Bottom, EmotionLabels.All);
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend();
        plot.Title("Per-class F1 on the test clips");
        plot.SavePng(path, 800, 450);
    }

    public static void LearningCurves(ComparisonReport report, string path)
    {
        var plot = new Plot();
        for (var r = 0; r < report.Runs.Count; r++)
        {
            var curve = report.Runs[r].LearningCurve;
            if (curve.Count == 0) continue;
            var ua = plot.Add.Scatter(curve.Select(e => (double)e.Epoch).ToArray(), curve.Select(e => e.ValidationUa).ToArray());
            ua.LegendText = $"{report.Runs[r].Architecture}: validation UA";
            ua.Color = Colors.Category10[r % 10];
            var loss = plot.Add.Scatter(curve.Select(e => (double)e.Epoch).ToArray(), curve.Select(e => e.TrainLoss).ToArray());
            loss.LegendText = $"{report.Runs[r].Architecture}: training loss";
            loss.Color = Colors.Category10[r % 10];
            loss.LinePattern = LinePattern.Dashed;
        }
        plot.XLabel("epoch");
        plot.ShowLegend();
        plot.Title("Learning curves");
        plot.SavePng(path, 800, 450);
    }

    private static void Ticks(IAxis axis, IReadOnlyList<string> labels) =>
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());
}
