using System.Text;
using static Ser.Api.Hosting.HtmlText;

namespace Ser.Api.Metrics.Dashboard;

/// <summary>The horizontal grid every dashboard chart on a [0, 1] scale draws: lines at 0, 0.25, … 1, labelled on the left.</summary>
internal static class ChartGrid
{
    public static StringBuilder AppendUnitGrid(this StringBuilder svg, int left, int right, int top, int height)
    {
        ArgumentNullException.ThrowIfNull(svg);
        for (var g = 0; g <= 4; g++)
        {
            var y = top + height - g * height / 4;
            svg.Append(C($"<line x1=\"{left}\" x2=\"{right}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{y + 4}\" font-size=\"11\">{g * 0.25:0.00}</text>"));
        }
        return svg;
    }
}
