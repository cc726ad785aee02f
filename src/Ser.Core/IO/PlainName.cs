namespace Ser.Core.IO;

/// <summary>Names that callers may give for things on disk (datasets, base checkpoints, runs): a single folder or file
/// name, never a path, so a request cannot reach outside the folder it names things in.</summary>
public static class PlainName
{
    /// <summary>Letters, digits, '.', '_', '-'; 1–100 characters; no separators, no "..", no drive letters.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 100 } && !name.Contains("..", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
