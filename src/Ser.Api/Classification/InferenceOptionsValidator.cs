using Microsoft.Extensions.Options;
using Ser.Core.Models;

namespace Ser.Api.Classification;

/// <summary>Checks what data annotations cannot reach: the per-architecture abstain rules.</summary>
public sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (architecture, rule) in options.Abstain)
        {
            var key = $"{InferenceOptions.Section}:Abstain:{architecture}";
            if (!ModelArchitectures.All.Contains(architecture))
                failures.Add($"{key}: '{architecture}' is not {string.Join(" or ", ModelArchitectures.All)}.");
            if (new[] { rule.TargetCoverage, rule.MaxRisk, rule.Below }.Count(v => v is not null) > 1)
                failures.Add($"{key}: set one of TargetCoverage, MaxRisk and Below.");
            if (rule.TargetCoverage is { } c && !(c is > 0 and <= 1)) failures.Add($"{key}:TargetCoverage must be in (0, 1].");
            if (rule.MaxRisk is { } r && !(r is >= 0 and < 1)) failures.Add($"{key}:MaxRisk must be in [0, 1).");
            if (rule.Below is { } b && !(b is >= 0 and <= 1)) failures.Add($"{key}:Below must be in [0, 1].");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
