using System.ComponentModel.DataAnnotations;

namespace Ser.Api.Jobs;

/// <summary>Background jobs (<c>Ser:Jobs</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "Ser:Jobs";

    /// <summary>PostgreSQL only: how long a fetched job stays invisible to other workers after its worker stops
    /// renewing it (sliding), i.e. how soon a job of a dead worker is delivered again.</summary>
    [Range(1, 86_400)]
    public int InvisibilityTimeoutSeconds { get; set; } = 300;
}
