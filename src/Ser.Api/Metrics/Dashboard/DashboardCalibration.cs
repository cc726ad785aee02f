using System.Text;
using static Ser.Api.Hosting.HtmlText;
using Ser.Api.Metrics.Contracts;

namespace Ser.Api.Metrics.Dashboard;

/// <summary>The page's calibration charts (inline SVG, both axes [0, 1]): reliability before (dashed) and after (solid)
/// each run's temperature, and the risk–coverage curve (accuracy of the answered clips against the share answered).</summary>
internal static class DashboardCalibration
{
    public static string Render(IReadOnlyList<RunMetrics> runs, IReadOnlyList<string> palette)
    {
        var calibrated = runs.Select((r, i) => (Run: r, Colour: palette[i % palette.Count])).Where(x => x.Run.Metrics.Calibration is not null).ToArray();
        var html = new StringBuilder("<h2>Calibration and abstention</h2>");
        if (calibrated.Length == 0) return html.Append("<p>No calibration (runs trained before temperatures were fitted).</p>").ToString();
        html.Append("<table><tr><th class=\"l\">model</th><th>temperature</th><th>validation clips</th><th>ECE before</th><th>ECE after</th><th>AURC</th></tr>");
        foreach (var (run, _) in calibrated)
        {
            var c = run.Metrics.Calibration!;
            html.Append(C($"<tr><td class=\"l\">{E(run.Architecture)} ({E(run.RunId)})</td><td>{c.Temperature:0.000}</td><td>{c.ValidationClips}</td>"))
                .Append(C($"<td>{c.EceBefore:0.000}</td><td>{c.EceAfter:0.000}</td><td>{c.Aurc:0.000}</td></tr>"));
        }
        html.Append("</table>");
        var reliability = calibrated.SelectMany(x => new[]
        {
            ($"{x.Run.Architecture} before", x.Colour, true, Bins(x.Run.Metrics.Calibration!.ReliabilityBefore)),
            ($"{x.Run.Architecture} after (T = {x.Run.Metrics.Calibration!.Temperature:0.00})", x.Colour, false, Bins(x.Run.Metrics.Calibration!.ReliabilityAfter)),
        }).ToArray();
        html.Append(Chart("Reliability (accuracy against confidence; the diagonal is perfect calibration)", "confidence", reliability, diagonal: true));
        var coverage = calibrated.Select(x => ($"{x.Run.Architecture} ({x.Run.RunId})", x.Colour, false,
            (IReadOnlyList<(double, double)>)x.Run.Metrics.Calibration!.RiskCoverage.Select(p => (p.Coverage, p.Accuracy)).ToArray())).ToArray();
        return html.Append(Chart("Risk–coverage (accuracy of the clips answered, by share answered)", "coverage", coverage, diagonal: false)).ToString();
    }

    // Non-empty bins only, at their mean confidence.
    private static IReadOnlyList<(double, double)> Bins(IReadOnlyList<Ser.Core.Evaluation.ReliabilityBin> bins) =>
        bins.Where(b => b.Count > 0).Select(b => (b.Confidence, b.Accuracy)).ToArray();

    private static string Chart(string title, string xLabel, IReadOnlyList<(string Label, string Colour, bool Dashed, IReadOnlyList<(double X, double Y)> Points)> series,
        bool diagonal)
    {
        const int size = 260, top = 20, left = 40;
        var svg = new StringBuilder(C($"<h3>{E(title)}</h3><svg width=\"{left + size + 20}\" height=\"{top + size + 36 + 18 * series.Count}\" role=\"img\" aria-label=\"{E(title)}\">"));
        svg.AppendUnitGrid(left, left + size, top, size);
        if (diagonal) svg.Append(C($"<line x1=\"{left}\" y1=\"{top + size}\" x2=\"{left + size}\" y2=\"{top}\" stroke=\"#999\" stroke-dasharray=\"2 3\"/>"));
        for (var s = 0; s < series.Count; s++)
        {
            var (label, colour, dashed, points) = series[s];
            var path = string.Join(' ', points.Select(p => C($"{left + Math.Clamp(p.X, 0, 1) * size:0.#},{top + size - Math.Clamp(p.Y, 0, 1) * size:0.#}")));
            if (points.Count > 0)
                svg.Append(C($"<polyline class=\"calibration\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5 4\"" : "")} points=\"{path}\"><title>{E(label)}</title></polyline>"));
            svg.Append(C($"<line x1=\"{left}\" x2=\"{left + 14}\" y1=\"{top + size + 34 + 18 * s}\" y2=\"{top + size + 34 + 18 * s}\" stroke=\"{colour}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5 4\"" : "")}/>"))
                .Append(C($"<text x=\"{left + 18}\" y=\"{top + size + 38 + 18 * s}\" font-size=\"12\">{E(label)}</text>"));
        }
        svg.Append(C($"<text x=\"{left + size / 2}\" y=\"{top + size + 16}\" font-size=\"12\" text-anchor=\"middle\">{E(xLabel)}</text>"));
        return svg.Append("</svg>").ToString();
    }
}
