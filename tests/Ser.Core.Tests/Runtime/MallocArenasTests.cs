using Ser.Core.Runtime;

namespace Ser.Core.Tests.Runtime;

public sealed class MallocArenasTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData("1", null, 1)]
    [InlineData(" 1 ", null, 1)]
    [InlineData("2", null, 2)]
    [InlineData("0", null, null)]
    [InlineData("-1", null, null)]
    [InlineData("two", null, null)]
    [InlineData(null, "glibc.malloc.arena_max=1", 1)]
    [InlineData(null, "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1", 1)]
    [InlineData(null, "glibc.malloc.arena_max=4", 4)]
    [InlineData(null, "glibc.malloc.arena_max", null)]
    [InlineData("1", "glibc.malloc.arena_max=8", 8)] // the tunable wins
    [InlineData("8", "glibc.malloc.arena_max=1", 1)]
    [InlineData("2", "glibc.malloc.top_pad=0", 2)]
    public void The_arena_limit_is_read_from_the_variable_or_the_tunable(string? arenaMax, string? tunables, int? limit)
    {
        var environment = new Dictionary<string, string?> { ["MALLOC_ARENA_MAX"] = arenaMax, ["GLIBC_TUNABLES"] = tunables };

        Assert.Equal(limit, MallocArenas.Limit(name => environment.GetValueOrDefault(name)));
    }

    [Theory]
    [InlineData(null, true, "MALLOC_ARENA_MAX=1")]
    [InlineData("1", true, null)]
    [InlineData("2", true, "MALLOC_ARENA_MAX=1")]
    [InlineData("8", true, "MALLOC_ARENA_MAX=1")]
    [InlineData(null, false, "MALLOC_ARENA_MAX=2")]
    [InlineData("1", false, null)]
    [InlineData("2", false, null)]
    [InlineData("3", false, "MALLOC_ARENA_MAX=2")]
    public void A_process_that_trains_wants_one_heap_and_one_that_only_serves_one_or_two(string? arenaMax, bool trains, string? advised)
    {
        var advice = MallocArenas.Advice(name => name == "MALLOC_ARENA_MAX" ? arenaMax : null, trains);

        if (advised is null) Assert.Null(advice);
        else Assert.Contains(advised, advice, StringComparison.Ordinal);
    }

    [Fact]
    public void The_advice_reads_this_process_environment()
    {
        Assert.Equal(MallocArenas.Advice(Environment.GetEnvironmentVariable, trains: true), MallocArenas.Advice(trains: true));
        Assert.Equal(MallocArenas.Advice(Environment.GetEnvironmentVariable, trains: false), MallocArenas.Advice(trains: false));
    }
}
