namespace Ser.Core.Tests.Runtime;

/// <summary>Tests that seed libtorch's default generator and then expect its next draws: they run alone, since any
/// test running beside them (a model's initialisation, a randn) draws from the same process-wide generator.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultGeneratorGroup
{
    public const string Name = "libtorch's default generator";
}
