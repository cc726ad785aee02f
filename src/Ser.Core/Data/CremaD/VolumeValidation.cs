using System.Globalization;
using System.Text;

namespace Ser.Core.Data.CremaD;

/// <summary>The result of comparing a volume with CREMA-D's manifest: one row per file that is not as expected.</summary>
public sealed record VolumeValidation(string Root, int Expected, int Present, IReadOnlyList<VolumeValidation.Finding> Findings)
{
    public enum Status { Missing, Unexpected, WrongSize, WrongHash, Undecodable, Excluded }

    public sealed record Finding(string File, Status Status, long? ExpectedBytes, long? ActualBytes, string Detail);

    /// <summary>True when every manifest file is present with the right size (and hash, when checked) and decodes.</summary>
    public bool IsComplete => !Findings.Any(f => f.Status is not (Status.Excluded or Status.Unexpected));

    public int Count(Status status) => Findings.Count(f => f.Status == status);

    /// <summary>The report as one plain-text table, then a summary line.</summary>
    public string ToTable()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"file",-24} {"status",-11} {"expected",10} {"actual",10}  detail");
        foreach (var f in Findings.OrderBy(f => f.Status).ThenBy(f => f.File, StringComparer.Ordinal))
            text.AppendLine(CultureInfo.InvariantCulture, $"{f.File,-24} {Name(f.Status),-11} {f.ExpectedBytes,10} {f.ActualBytes,10}  {f.Detail}");
        text.Append(CultureInfo.InvariantCulture, $"{Present} of {Expected} manifest files present; ")
            .Append(string.Join(", ", Enum.GetValues<Status>().Select(s => $"{Count(s)} {Name(s)}")));
        return text.ToString();
    }

    public static string Name(Status status) => status switch
    {
        Status.WrongSize => "wrong-size",
        Status.WrongHash => "wrong-hash",
        _ => status.ToString().ToLowerInvariant(),
    };
}
