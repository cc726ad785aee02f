using System.Buffers.Text;
using System.Text;

namespace Ser.Api.Hosting;

/// <summary>The opaque <c>cursor</c> of a list page: base64url of the last item's sort key and id. The next page holds the
/// items strictly before that pair (keyset pagination), so rows added meanwhile never shift or repeat a page.</summary>
public static class PageCursor
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static string Encode(string key, string id) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{key}\n{id}"));

    /// <summary>False for anything <see cref="Encode"/> did not make (garbage, another list's key, an id with odd characters).</summary>
    public static bool TryDecode(string cursor, out string key, out string id)
    {
        key = id = "";
        if (cursor.Length is 0 or > 256 || !Base64Url.IsValid(cursor)) return false;
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return false;
        }
        var parts = text.Split('\n');
        if (parts.Length != 2 || parts[0].Length == 0 || !IsId(parts[1])) return false;
        (key, id) = (parts[0], parts[1]);
        return true;
    }

    /// <summary>The errors of <c>limit</c> and <c>cursor</c>, by field (empty when both are fine).</summary>
    public static Dictionary<string, string[]> Validate(int? limit, string? cursor, Func<string, bool> keyIsValid)
    {
        ArgumentNullException.ThrowIfNull(keyIsValid);
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        if (cursor is not null && !(TryDecode(cursor, out var key, out _) && keyIsValid(key)))
            errors["cursor"] = ["Not a cursor this list gave out; pass the 'next' value of the previous page unchanged."];
        return errors;
    }

    private static bool IsId(string id) => id.Length is > 2 and < 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
