using System.Globalization;
using System.Net;

namespace Ser.Api.Hosting;

/// <summary>The two helpers every server-rendered page uses: caller text encoded, numbers formatted invariantly (a
/// decimal comma would break SVG coordinates).</summary>
internal static class HtmlText
{
    public static string E(string text) => WebUtility.HtmlEncode(text);

    public static string C(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
