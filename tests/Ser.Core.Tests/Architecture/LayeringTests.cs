using System.Reflection;
using System.Text.RegularExpressions;
using Ser.Core.Audio;
using Ser.Tests;

namespace Ser.Core.Tests.Architecture;

public partial class LayeringTests
{
    [Fact]
    public void Core_depends_on_no_web_job_or_logging_framework()
    {
        var references = typeof(WavDecoder).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();

        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Hangfire", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Serilog", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Ser.", StringComparison.Ordinal));
    }

    /// <summary>Audio in and features come before models: a decoder or a spectrogram never knows which network reads it.
    /// The source is checked (a sibling namespace needs a using or a qualified name to be seen at all), and so are the
    /// public signatures of the compiled types.</summary>
    [Theory]
    [InlineData("Audio")]
    [InlineData("Features")]
    public void Audio_and_features_never_reach_into_models(string folder)
    {
        var root = Path.Combine(TestPaths.RepositoryRoot, "src", "Ser.Core", folder);
        var offending = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(root, f), Line: i + 1, Text: line)))
            .Where(l => ModelsReference().IsMatch(l.Text))
            .Select(l => $"{folder}/{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Any(), $"no sources under {root}");
        Assert.Empty(offending);

        var types = typeof(WavDecoder).Assembly.GetTypes().Where(t => t.Namespace?.StartsWith("Ser.Core." + folder, StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(types);
        var leaks = types.SelectMany(t => SignatureTypes(t).Where(s => s.Namespace?.StartsWith("Ser.Core.Models", StringComparison.Ordinal) == true)
            .Select(s => $"{t.FullName} uses {s.FullName}")).ToList();
        Assert.Empty(leaks);
    }

    private static IEnumerable<Type> SignatureTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } b) yield return b;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var f in type.GetFields(all)) yield return f.FieldType;
        foreach (var p in type.GetProperties(all)) yield return p.PropertyType;
        foreach (var m in type.GetMethods(all))
        {
            yield return m.ReturnType;
            foreach (var p in m.GetParameters()) yield return p.ParameterType;
        }
        foreach (var c in type.GetConstructors(all))
            foreach (var p in c.GetParameters()) yield return p.ParameterType;
    }

    [GeneratedRegex(@"\busing\s+(static\s+)?Ser\.Core\.Models\b|\bSer\.Core\.Models\.|(?<![\w.])Models\.[A-Z]")]
    private static partial Regex ModelsReference();
}
