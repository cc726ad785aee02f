using System.Text;
using static Ser.Api.Hosting.HtmlText;
using Ser.Training.Runs;

namespace Ser.Api.Metrics.Dashboard;

/// <summary>The page's learning curves (inline SVG) and the table of runs training now.</summary>
internal static class DashboardSections
{
    public static string Running(IReadOnlyList<RunningRun> running)
    {
        var html = new StringBuilder("<h2>Training now</h2>");
        if (running.Count == 0) return html.Append("<p>No run is training.</p>").ToString();
        html.Append("<table><tr><th class=\"l\">run</th><th class=\"l\">model</th><th>epoch</th><th>progress</th><th>loss</th><th>clips/s</th><th>ETA</th></tr>");
        foreach (var r in running)
        {
            var p = r.Progress;
            html.Append(C($"<tr><td class=\"l\">{E(r.RunId)}</td><td class=\"l\">{E(r.Architecture)} ({E(r.Preset)})</td>"));
            html.Append(p is null
                ? "<td colspan=\"5\">starting</td></tr>"
                : C($"<td>{p.Epoch}/{p.Epochs}</td><td><progress max=\"1\" value=\"{p.Fraction:0.000}\"></progress> {p.Fraction:P0}</td><td>{p.Loss:0.000}</td><td>{p.ClipsPerSecond:0.0}</td><td>{TimeSpan.FromSeconds(p.EtaSeconds):hh\\:mm\\:ss}</td></tr>"));
        }
        return html.Append("</table>").ToString();
    }

    // Validation UA per epoch (solid), one line per run; the y axis is [0, 1].
    public static string LearningCurves(IReadOnlyList<(string Label, IReadOnlyList<EpochMetrics> Curve)> runs, IReadOnlyList<string> palette)
    {
        const int height = 220, top = 20, left = 40, width = 520;
        var html = new StringBuilder("<h2>Learning curves (validation UA per epoch)</h2>");
        var epochs = runs.SelectMany(r => r.Curve).Select(e => e.Epoch).DefaultIfEmpty(0).Max();
        if (epochs == 0) return html.Append("<p>No training history (evaluation runs have none).</p>").ToString();
        html.Append(C($"<svg width=\"{width + 20}\" height=\"{height + 40 + 18 * runs.Count}\" role=\"img\" aria-label=\"Learning curves\">"));
        html.AppendUnitGrid(left, width, top, height);
        double X(int epoch) => left + (epochs == 1 ? 0 : (epoch - 1) * (double)(width - left) / (epochs - 1));
        for (var r = 0; r < runs.Count; r++)
        {
            var colour = palette[r % palette.Count];
            var points = string.Join(' ', runs[r].Curve.Select(e => C($"{X(e.Epoch):0.#},{top + height - Math.Clamp(e.ValidationUa, 0, 1) * height:0.#}")));
            if (runs[r].Curve.Count > 0)
                html.Append(C($"<polyline class=\"curve\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"><title>{E(runs[r].Label)}</title></polyline>"));
            html.Append(C($"<rect x=\"{left}\" y=\"{top + height + 28 + 18 * r}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{left + 16}\" y=\"{top + height + 39 + 18 * r}\" font-size=\"12\">{E(runs[r].Label)}</text>"));
        }
        html.Append(C($"<text x=\"{width / 2}\" y=\"{top + height + 16}\" font-size=\"12\" text-anchor=\"middle\">epoch (1–{epochs})</text>"));
        return html.Append("</svg>").ToString();
    }
}
