using Hangfire;

namespace Ser.Api.Jobs;

/// <summary>Where Hangfire keeps its jobs, applied when Hangfire is configured. A single registration, so a host (the
/// tests' in-memory storage) can replace it without the product shipping a test-only storage.</summary>
public sealed class JobStorageSetup(Action<IGlobalConfiguration> apply)
{
    public void Apply(IGlobalConfiguration configuration) => apply(configuration);
}
