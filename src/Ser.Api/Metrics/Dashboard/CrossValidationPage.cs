using System.Text;
using static Ser.Api.Hosting.HtmlText;
using Ser.Training.CrossValidation;

namespace Ser.Api.Metrics.Dashboard;

/// <summary>A cross-validation as a page: mean ± sd per architecture, the paired difference, and one row per fold.</summary>
public static class CrossValidationPage
{
    public static string Render(CrossValidationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ser — cross-validation</title>
            <style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}
            td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}</style></head><body>
            """);
        html.Append(C($"<h1>Cross-validation {E(report.Id)}</h1><p>{report.Folds} actor folds of <b>{E(report.Dataset)}</b> (seed {report.SplitSeed}): <b>{E(report.State)}</b>.</p>"));
        html.Append("<table><tr><th class=\"l\">model</th><th>folds</th><th>WA mean ± sd</th><th>UA mean ± sd</th><th>macro-F1 mean ± sd</th></tr>");
        foreach (var a in report.Architectures)
            html.Append(C($"<tr><td class=\"l\">{E(a.Architecture)}</td><td>{a.Ua.Folds}</td><td>{M(a.Wa)}</td><td>{M(a.Ua)}</td><td>{M(a.MacroF1)}</td></tr>"));
        html.Append("</table>");
        if (report.Paired is { } p)
            html.Append(C($"<p>UA {E(p.First)} − {E(p.Second)}, paired per fold: {M(p.UaDifference)} over {p.UaDifference.Folds} folds; "))
                .Append(C($"{E(p.First)} higher on {p.FirstBetter}, {E(p.Second)} on {p.SecondBetter}.</p>"));
        html.Append("<table><tr><th>fold</th><th class=\"l\">job</th><th class=\"l\">run</th><th class=\"l\">model</th><th class=\"l\">state</th><th>WA</th><th>UA</th><th>macro-F1</th><th>UA difference</th><th>McNemar p</th></tr>");
        foreach (var f in report.PerFold)
            foreach (var r in f.Runs)
                html.Append(C($"<tr><td>{f.Fold}</td><td class=\"l\">{E(f.JobId)}</td><td class=\"l\">{E(r.RunId)}</td><td class=\"l\">{E(r.Architecture)}</td><td class=\"l\">{E(r.State)}</td>"))
                    .Append(C($"<td>{F(r.Wa)}</td><td>{F(r.Ua)}</td><td>{F(r.MacroF1)}</td><td>{F(f.UaDifference)}</td><td>{F(f.Mcnemar?.PValue)}</td></tr>"));
        return html.Append("</table></body></html>").ToString();
    }

    private static string M(MeanSd m) => m.Folds == 0 ? "–" : C($"{m.Mean:0.000} ± {m.Sd:0.000}");

    private static string F(double? v) => v is { } x ? C($"{x:0.000}") : "";
}
