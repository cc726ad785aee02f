using System.Text;

namespace Ser.Core.Data.CremaD;

/// <summary>Minimal RFC 4180 reader (quoted fields, doubled quotes), enough for the CREMA-D tables and manifests.</summary>
public static class CsvReader
{
    /// <summary>Rows as dictionaries keyed by the header's column names.</summary>
    public static IEnumerable<IReadOnlyDictionary<string, string>> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string[]? header = null;
        string? line;
        var number = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            number++;
            if (line.Length == 0) continue;
            var fields = Split(line, number);
            if (header is null)
            {
                header = fields;
                continue;
            }
            var row = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Length; i++) row[header[i]] = i < fields.Length ? fields[i] : "";
            yield return row;
        }
    }

    private static string[] Split(string line, int number)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new DatasetException($"CSV line {number} has an unterminated quote.");
        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
