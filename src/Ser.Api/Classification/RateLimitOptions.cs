using System.ComponentModel.DataAnnotations;

namespace Ser.Api.Classification;

/// <summary><c>Ser:RateLimit</c>: classified clips per client and minute (0 = off).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Ser:RateLimit";

    [Range(0, int.MaxValue)]
    public int PermitsPerMinute { get; set; } = 600;
}
