using System.ComponentModel.DataAnnotations;

namespace Ser.Api.Jobs;

/// <summary>Background jobs (<c>Ser:Jobs</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "Ser:Jobs";

    /// <summary><c>sqlite</c> (a file under the data folder, survives restarts) or <c>memory</c> (tests). Ignored when
    /// <c>ConnectionStrings:Postgres</c> is set: Hangfire then keeps its jobs in PostgreSQL.</summary>
    [RegularExpression("^(sqlite|memory)$", ErrorMessage = "Ser:Jobs:Storage must be sqlite or memory.")]
    public string Storage { get; set; } = "sqlite";

    /// <summary>PostgreSQL only: how long a fetched job stays invisible to other workers after its worker stops
    /// renewing it (sliding), i.e. how soon a job of a dead worker is delivered again.</summary>
    [Range(1, 86_400)]
    public int InvisibilityTimeoutSeconds { get; set; } = 300;
}
