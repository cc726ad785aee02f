using System.Text;
using static Ser.Api.Hosting.HtmlText;
using Ser.Api.Classification.Contracts;
using Ser.Core.Data;

namespace Ser.Api.Classification;

/// <summary>An uploaded clip's timeline as a page (inline SVG, no scripts): the speech regions scored, one lane per model
/// coloured by label (faded where uncertain), and a mark where the models disagree. <see cref="Form"/> is the upload form.</summary>
public static class TimelinePage
{
    private static readonly string[] LabelColours = ["#9e9e9e", "#f2c12e", "#d62728", "#1f77b4", "#9467bd", "#2ca02c"];
    private const string Style = """
        <style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}
        td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}</style>
        """;

    public static string Form() => $$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ser — timeline</title>{{Style}}</head><body>
        <h1>Emotion timeline</h1><p>Upload a WAV: both models score its speech in windows; silence is skipped.</p>
        <form method="post" action="/classify?segments=true" enctype="multipart/form-data">
        <input type="file" name="file" accept="audio/wav,.wav" required> <button type="submit">Draw the timeline</button></form>
        </body></html>
        """;

    public static string Render(ClassifyResponse result)
    {
        ArgumentNullException.ThrowIfNull(result);
        const int left = 90, width = 860, lane = 28, top = 30;
        var duration = Math.Max(result.Audio.DurationSeconds, 1e-3);
        double X(double seconds) => left + seconds / duration * width;
        var segments = result.Segments ?? [];
        var models = result.Predictions.Keys.ToArray();
        var html = new StringBuilder(C($"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ser — timeline</title>{Style}</head><body>"));
        html.Append(C($"<h1>Emotion timeline</h1><p>{result.Audio.DurationSeconds:0.00} s, {segments.Count} windows. "));
        foreach (var (model, p) in result.Predictions)
            html.Append(C($"<b>{E(model)}</b>: {E(p.Label)} ({p.Confidence:0.00}{(p.Uncertain ? ", uncertain" : "")}). "));
        html.Append("</p>");
        var height = top + lane * (models.Length + 1) + 60;
        html.Append(C($"<svg width=\"{left + width + 20}\" height=\"{height}\" role=\"img\" aria-label=\"Emotion timeline\">"));
        html.Append(C($"<text x=\"4\" y=\"{top + 18}\" font-size=\"12\">speech</text>"));
        foreach (var s in result.Speech ?? [])
            html.Append(C($"<rect class=\"speech\" x=\"{X(s.StartSeconds):0.#}\" y=\"{top + 4}\" width=\"{Math.Max(1, X(s.EndSeconds) - X(s.StartSeconds)):0.#}\" height=\"{lane - 8}\" fill=\"#ddd\"/>"));
        for (var m = 0; m < models.Length; m++)
        {
            var y = top + lane * (m + 1);
            html.Append(C($"<text x=\"4\" y=\"{y + 18}\" font-size=\"12\">{E(models[m])}</text>"));
            for (var i = 0; i < segments.Count; i++)
            {
                if (!segments[i].Predictions.TryGetValue(models[m], out var p)) continue;
                var (from, to) = Shown(segments, i);
                var colour = LabelColours[Math.Max(0, EmotionLabels.All.ToList().IndexOf(p.Label))];
                html.Append(C($"<rect class=\"segment\" x=\"{X(from):0.#}\" y=\"{y + 2}\" width=\"{Math.Max(1, X(to) - X(from)):0.#}\" height=\"{lane - 4}\" fill=\"{colour}\" "))
                    .Append(C($"fill-opacity=\"{(p.Uncertain ? 0.35 : 0.9)}\"><title>{segments[i].StartSeconds:0.0}–{segments[i].EndSeconds:0.0} s: {E(p.Label)} {p.Confidence:0.00}{(p.Uncertain ? " (uncertain)" : "")}</title></rect>"));
            }
        }
        var marks = top + lane * (models.Length + 1) + 4;
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].Agree != false) continue;
            var (from, to) = Shown(segments, i);
            html.Append(C($"<rect class=\"disagree\" x=\"{X(from):0.#}\" y=\"{marks}\" width=\"{Math.Max(1, X(to) - X(from)):0.#}\" height=\"6\" fill=\"#000\"><title>models disagree</title></rect>"));
        }
        html.Append(C($"<text x=\"4\" y=\"{marks + 7}\" font-size=\"11\">disagree</text>"));
        for (var l = 0; l < EmotionLabels.Count; l++)
            html.Append(C($"<rect x=\"{left + l * 110}\" y=\"{height - 24}\" width=\"12\" height=\"12\" fill=\"{LabelColours[l]}\"/><text x=\"{left + l * 110 + 16}\" y=\"{height - 14}\" font-size=\"12\">{EmotionLabels.All[l]}</text>"));
        html.Append("</svg><table><tr><th>start s</th><th>end s</th>");
        foreach (var model in models) html.Append(C($"<th class=\"l\">{E(model)}</th>"));
        html.Append("<th class=\"l\">agree</th></tr>");
        foreach (var s in segments)
        {
            html.Append(C($"<tr><td>{s.StartSeconds:0.00}</td><td>{s.EndSeconds:0.00}</td>"));
            foreach (var model in models)
                html.Append(s.Predictions.TryGetValue(model, out var p) ? C($"<td class=\"l\">{E(p.Label)} {p.Confidence:0.00}{(p.Uncertain ? " ?" : "")}</td>") : "<td></td>");
            html.Append(C($"<td class=\"l\">{(s.Agree is null ? "" : s.Agree.Value ? "yes" : "no")}</td></tr>"));
        }
        return html.Append("</table><p><a href=\"/timeline\">Another clip</a></p></body></html>").ToString();
    }

    // Overlapping windows are drawn over the stretch nearer their centre than their neighbours'.
    private static (double From, double To) Shown(IReadOnlyList<Segment> segments, int i)
    {
        static double Centre(Segment s) => (s.StartSeconds + s.EndSeconds) / 2;
        var s = segments[i];
        var from = i > 0 && segments[i - 1].EndSeconds > s.StartSeconds ? (Centre(segments[i - 1]) + Centre(s)) / 2 : s.StartSeconds;
        var to = i < segments.Count - 1 && segments[i + 1].StartSeconds < s.EndSeconds ? (Centre(s) + Centre(segments[i + 1])) / 2 : s.EndSeconds;
        return (from, to);
    }
}
