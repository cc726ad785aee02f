using Ser.Training.Runs;

namespace Ser.Training.Tests.Architecture;

public class LayeringTests
{
    /// <summary>Training is a library the service and the CLI both call: it never knows about HTTP, Hangfire or the API.</summary>
    [Fact]
    public void Training_depends_on_no_web_framework_job_server_or_the_api()
    {
        var references = typeof(TrainingRunner).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();

        Assert.Contains("Ser.Core", references); // the list is real: Training is built on Core
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Hangfire", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r == "Ser.Api");
    }
}
