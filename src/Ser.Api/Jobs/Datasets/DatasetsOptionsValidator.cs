using Microsoft.Extensions.Options;
using Ser.Core.Data;

namespace Ser.Api.Jobs.Datasets;

/// <summary>Each configured dataset names a kind the loaders know, so a typo stops the start rather than a job.</summary>
internal sealed class DatasetsOptionsValidator : IValidateOptions<DatasetsOptions>
{
    private static readonly IReadOnlyList<string> Kinds = DatasetKinds.All;

    public ValidateOptionsResult Validate(string? name, DatasetsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Named.Where(d => !Kinds.Contains(d.Value.Kind, StringComparer.Ordinal))
            .Select(d => $"{DatasetsOptions.Section}:{d.Key}:Kind is '{d.Value.Kind}': use {string.Join(", ", Kinds)}.").ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
