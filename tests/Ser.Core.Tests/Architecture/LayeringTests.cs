using Ser.Core.Audio;

namespace Ser.Core.Tests.Architecture;

public class LayeringTests
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
}
