using Ser.Core.Runtime;

namespace Ser.Core.Tests.Runtime;

public sealed class MallocArenasTests
{
    [Theory]
    [InlineData(null, null, false)]
    [InlineData("1", null, true)]
    [InlineData(" 1 ", null, true)]
    [InlineData("2", null, false)]
    [InlineData(null, "glibc.malloc.arena_max=1", true)]
    [InlineData(null, "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1", true)]
    [InlineData(null, "glibc.malloc.arena_max=4", false)]
    [InlineData(null, "glibc.malloc.arena_max", false)]
    [InlineData("1", "glibc.malloc.arena_max=8", false)] // the tunable wins
    [InlineData("8", "glibc.malloc.arena_max=1", true)]
    [InlineData("1", "glibc.malloc.top_pad=0", true)]
    public void One_arena_is_read_from_the_variable_or_the_tunable(string? arenaMax, string? tunables, bool shared)
    {
        var environment = new Dictionary<string, string?> { ["MALLOC_ARENA_MAX"] = arenaMax, ["GLIBC_TUNABLES"] = tunables };

        Assert.Equal(shared, MallocArenas.Shared(name => environment.GetValueOrDefault(name)));
    }

    [Fact]
    public void The_advice_follows_this_process_environment()
    {
        var advice = MallocArenas.Advice();

        if (MallocArenas.Shared(Environment.GetEnvironmentVariable)) Assert.Null(advice);
        else Assert.Contains("MALLOC_ARENA_MAX=1", advice, StringComparison.Ordinal);
    }
}
