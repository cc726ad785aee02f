namespace Ser.Core.Runtime;

/// <summary>Reads one tunable from <c>GLIBC_TUNABLES</c> (<c>name=value</c> pairs joined by colons), as glibc does at
/// start-up: the last occurrence wins.</summary>
internal static class GlibcTunables
{
    public const string Variable = "GLIBC_TUNABLES";

    /// <summary>The tunable's trimmed value in the environment <paramref name="variable"/> reads, or null.</summary>
    public static string? Value(Func<string, string?> variable, string name) =>
        variable(Variable)?.Split(':').Select(t => t.Split('=', 2))
            .LastOrDefault(kv => kv.Length == 2 && kv[0].Trim() == name)?[1].Trim();
}
