using System.Globalization;

namespace Ser.Training.Cli;

/// <summary>Parsed <c>--name value</c> / <c>--flag</c> options of one command; unknown or malformed options are
/// usage errors that name the option.</summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    /// <param name="flags">Options that take no value.</param>
    /// <param name="options">Options that take one value.</param>
    public CliArguments(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string>? flags = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        flags ??= [];
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") { Help = true; continue; }
            if (!name.StartsWith("--", StringComparison.Ordinal)) throw new CliUsageException($"unexpected argument '{name}'");
            var key = name[2..];
            if (flags.Contains(key)) { _values[key] = null; continue; }
            if (!options.Contains(key)) throw new CliUsageException($"unknown option '{name}'");
            if (i + 1 >= args.Count) throw new CliUsageException($"option '{name}' needs a value");
            _values[key] = args[++i];
        }
    }

    public bool Help { get; }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) => Get(name) ?? throw new CliUsageException($"option '--{name}' is required");

    public int? Int(string name) => Parse(name, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));

    public long? Long(string name) => Parse(name, s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));

    public double? Double(string name) => Parse(name, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));

    private T? Parse<T>(string name, Func<string, T> parse) where T : struct
    {
        var value = Get(name);
        if (value is null) return null;
        try { return parse(value); }
        catch (FormatException) { throw new CliUsageException($"option '--{name}' expects a number, got '{value}'"); }
        catch (OverflowException) { throw new CliUsageException($"option '--{name}' is out of range: '{value}'"); }
    }
}
