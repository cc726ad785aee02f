using System.Text.RegularExpressions;

namespace Ser.Api.Hosting;

/// <summary>Error text for anyone who may read it (job errors, problems, start-up stages): the data folder becomes
/// <c>{data}</c> (what the README and the configuration call it) and any other server path the name it ends in, so a
/// model folder or dataset mount is named, never located. The logs keep the full text.</summary>
public static partial class PublicText
{
    public static string? Redact(string? text, string? dataPath = null)
    {
        if (text is null) return null;
        if (dataPath is { Length: > 1 }) text = text.Replace(Path.TrimEndingDirectorySeparator(dataPath), "{data}", StringComparison.Ordinal);
        return AbsolutePath().Replace(text, m => Path.GetFileName(m.Value.TrimEnd('/')) is { Length: > 0 } name ? name : "(folder)");
    }

    // A '/' that starts a token (not a URL's "//" or a path inside a URL), then path characters.
    [GeneratedRegex(@"(?<![\w.:/~}-])/(?:[^\s'""/:,;()\[\]]+/?)+")]
    private static partial Regex AbsolutePath();
}
