using System.Text;
using static Ser.Api.Hosting.HtmlText;
using Ser.Api.Metrics.Contracts;

namespace Ser.Api.Metrics.Dashboard;

/// <summary>The comparison as one self-contained HTML page (inline SVG charts, no scripts or external assets, so it
/// works offline and behind strict proxies).</summary>
public static class DashboardPage
{
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];

    public static string Render(CompareResponse report, DashboardExtras? extras = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ser — model comparison</title>
            <style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}
            td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}
            .note{color:#8a4b00}.cm td{width:3.2rem;text-align:center}h2{margin-top:2rem}</style></head><body>
            <h1>Ser — Wav2Vec2 vs ResNet18</h1>
            """);
        var s = report.Split;
        html.Append(C($"<p>Split <code>{E(s.Hash[..12])}</code> ({E(s.Strategy)}, {(s.SpeakerIndependent ? "speaker-independent" : "speaker-dependent")}), "))
            .Append(C($"<b>{s.TestClips}</b> test clips, the same for every model.</p>"));
        foreach (var note in report.Notes) html.Append(C($"<p class=\"note\">{E(note)}</p>"));

        html.Append("<h2>Headline figures</h2><table><tr><th class=\"l\">model</th><th class=\"l\">run</th><th>WA</th><th>UA</th><th>macro-F1</th><th>ECE</th><th>training</th></tr>");
        foreach (var r in report.Runs)
            html.Append(C($"<tr><td class=\"l\">{E(r.Architecture)} ({E(r.Preset)})</td><td class=\"l\">{E(r.RunId)}</td><td>{Ci(r.Metrics.Wa)}</td>"))
                .Append(C($"<td>{Ci(r.Metrics.Ua)}</td><td>{Ci(r.Metrics.MacroF1)}</td><td>{r.Metrics.Ece:0.000}</td><td>{r.Training.Seconds:0} s, {E(r.Training.Device)}</td></tr>"));
        html.Append("</table>");
        html.Append(Bars("Accuracy with 95 % confidence intervals", ["WA", "UA", "macro-F1"], report.Runs,
            r => [r.Metrics.Wa.Value, r.Metrics.Ua.Value, r.Metrics.MacroF1.Value],
            r => [r.Metrics.Wa.Ci95, r.Metrics.Ua.Ci95, r.Metrics.MacroF1.Ci95]));
        html.Append(Bars("Per-class F1", report.Runs[0].Metrics.PerClass.Select(p => p.Label).ToArray(), report.Runs,
            r => r.Metrics.PerClass.Select(p => p.F1).ToArray(), null));

        if (report.Mcnemar is { } m)
            html.Append(C($"<p>McNemar ({E(report.Runs[0].RunId)} vs {E(report.Runs[1].RunId)}): only the first right on <b>{m.B}</b> clips, "))
                .Append(C($"only the second on <b>{m.C}</b>; p = <b>{m.PValue:0.0000}</b>.</p>"));
        if (report.Inflation.Count > 0)
        {
            html.Append("<h2>Speaker-overlap inflation</h2><table><tr><th class=\"l\">model</th><th class=\"l\">speaker-dependent run</th><th class=\"l\">speaker-independent run</th><th>WA gain</th><th>UA gain</th></tr>");
            foreach (var g in report.Inflation)
                html.Append(C($"<tr><td class=\"l\">{E(g.Architecture)}</td><td class=\"l\">{E(g.DependentRun)}</td><td class=\"l\">{E(g.IndependentRun)}</td><td>{Ci(g.Wa)}</td><td>{Ci(g.Ua)}</td></tr>"));
            html.Append("</table>");
        }
        html.Append(report.Human is { } h
            ? C($"<p>Human baseline (crowd, audio only, same clips): WA {h.Wa:0.000}, UA {h.Ua:0.000} on {h.Clips} clips.</p>")
            : C($"<p>Human baseline: absent — {E(report.HumanAbsentReason ?? "")}.</p>"));

        if (extras is not null)
        {
            html.Append(DashboardSections.LearningCurves(report.Runs
                .Select(r => ($"{r.Architecture} ({r.RunId})", extras.Curves.GetValueOrDefault(r.RunId) ?? [])).ToArray(), Palette));
            html.Append(DashboardSections.Running(extras.Running));
        }
        html.Append(DashboardCalibration.Render(report.Runs, Palette));
        foreach (var r in report.Runs) html.Append(Confusion(r));
        html.Append("</body></html>");
        return html.ToString();
    }

    private static string Confusion(RunMetrics run)
    {
        var html = new StringBuilder(C($"<h2>Confusion — {E(run.Architecture)} ({E(run.RunId)})</h2><table class=\"cm\"><tr><th class=\"l\">truth \\ predicted</th>"));
        foreach (var label in run.Metrics.Confusion.Labels) html.Append(C($"<th>{E(label)}</th>"));
        html.Append("</tr>");
        for (var t = 0; t < run.Metrics.Confusion.Labels.Count; t++)
        {
            var row = run.Metrics.Confusion.Matrix[t];
            var total = Math.Max(1, row.Sum());
            html.Append(C($"<tr><th class=\"l\">{E(run.Metrics.Confusion.Labels[t])}</th>"));
            foreach (var count in row)
                html.Append(C($"<td style=\"background:rgba(31,119,180,{(double)count / total:0.00})\">{count}</td>"));
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    // Grouped bars (one group per category, one bar per run), optional CI whiskers; values in [0, 1].
    private static string Bars(string title, IReadOnlyList<string> categories, IReadOnlyList<RunMetrics> runs, Func<RunMetrics, double[]> values,
        Func<RunMetrics, double[][]>? intervals)
    {
        const int height = 220, top = 20, groupWidth = 110, left = 40;
        var width = left + categories.Count * groupWidth + 20;
        var bar = (groupWidth - 20) / Math.Max(1, runs.Count);
        var svg = new StringBuilder(C($"<h2>{E(title)}</h2><svg width=\"{Math.Max(width, 420)}\" height=\"{height + 40 + 18 * runs.Count}\" role=\"img\" aria-label=\"{E(title)}\">"));
        svg.AppendUnitGrid(left, width - 10, top, height);
        for (var r = 0; r < runs.Count; r++)
        {
            var v = values(runs[r]);
            var ci = intervals?.Invoke(runs[r]);
            for (var c = 0; c < categories.Count; c++)
            {
                var x = left + c * groupWidth + 10 + r * bar;
                var h = Math.Clamp(v[c], 0, 1) * height;
                svg.Append(C($"<rect x=\"{x}\" y=\"{top + height - h:0.#}\" width=\"{bar - 4}\" height=\"{h:0.#}\" fill=\"{Palette[r % Palette.Length]}\"><title>{E(runs[r].Architecture)} {E(categories[c])}: {v[c]:0.000}</title></rect>"));
                if (ci is not null)
                    svg.Append(C($"<line x1=\"{x + (bar - 4) / 2}\" x2=\"{x + (bar - 4) / 2}\" y1=\"{top + height - ci[c][0] * height:0.#}\" y2=\"{top + height - ci[c][1] * height:0.#}\" stroke=\"#000\" stroke-width=\"2\"/>"));
            }
        }
        for (var c = 0; c < categories.Count; c++)
            svg.Append(C($"<text x=\"{left + c * groupWidth + groupWidth / 2}\" y=\"{top + height + 16}\" font-size=\"12\" text-anchor=\"middle\">{E(categories[c])}</text>"));
        for (var r = 0; r < runs.Count; r++)
            svg.Append(C($"<rect x=\"{left}\" y=\"{top + height + 28 + 18 * r}\" width=\"12\" height=\"12\" fill=\"{Palette[r % Palette.Length]}\"/><text x=\"{left + 16}\" y=\"{top + height + 39 + 18 * r}\" font-size=\"12\">{E(runs[r].Architecture)} ({E(runs[r].Preset)}, {E(runs[r].RunId)})</text>"));
        return svg.Append("</svg>").ToString();
    }

    private static string Ci(Ser.Core.Evaluation.Estimate e) => C($"{e.Value:0.000} <small>({e.Ci95[0]:0.000}–{e.Ci95[1]:0.000})</small>");
}
