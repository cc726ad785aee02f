using Ser.Training.Runs;

namespace Ser.Training.Tests.Runs;

public sealed class RunEnvironmentTests
{
    [Theory]
    [InlineData("auto")]
    [InlineData("cpu")]
    [InlineData(null)]
    public void The_environment_records_the_device_the_run_really_used_not_auto(string? configured)
    {
        var environment = RunEnvironment.Capture(configured!);

        Assert.Equal("cpu", environment.Device); // no CUDA in CI: "auto" resolves to the CPU
        Assert.True(environment.Threads >= 1);
    }
}
