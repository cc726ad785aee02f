using Ser.Core.Runtime;

[assembly: AssemblyFixture(typeof(Ser.Tests.Float32MathFixture))]

namespace Ser.Tests;

/// <summary>Makes the start-up math check before any test runs, as the service and ser-train do before any model runs:
/// the check briefly switches the process-wide fp32 matmul precision, which must not happen under a running test.</summary>
public sealed class Float32MathFixture
{
    public Float32MathFixture() => TorchRuntime.Initialize();
}
