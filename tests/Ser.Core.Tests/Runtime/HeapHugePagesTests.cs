using Ser.Core.Runtime;

namespace Ser.Core.Tests.Runtime;

public sealed class HeapHugePagesTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("glibc.malloc.hugetlb=1", true)]
    [InlineData("glibc.malloc.arena_max=1:glibc.malloc.hugetlb=1", true)]
    [InlineData("glibc.malloc.hugetlb=2", true)]
    [InlineData("glibc.malloc.hugetlb=0", false)]
    [InlineData("glibc.malloc.hugetlb", false)]
    [InlineData("glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0", false)] // the last one wins
    [InlineData("glibc.malloc.arena_max=1", false)]
    public void Huge_pages_are_requested_by_the_tunable(string? tunables, bool requested)
    {
        var environment = new Dictionary<string, string?> { ["GLIBC_TUNABLES"] = tunables };

        Assert.Equal(requested, HeapHugePages.Requested(name => environment.GetValueOrDefault(name)));
    }

    [Theory]
    [InlineData("always [madvise] never\n", "madvise")]
    [InlineData("[always] madvise never", "always")]
    [InlineData("always madvise [never]", "never")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_kernel_mode_is_its_bracketed_word(string? setting, string? mode) =>
        Assert.Equal(mode, HeapHugePages.KernelMode(setting));

    [Fact]
    public void The_advice_follows_this_process_environment_and_kernel()
    {
        var advice = HeapHugePages.Advice();

        const string setting = "/sys/kernel/mm/transparent_hugepage/enabled";
        var mode = File.Exists(setting) ? HeapHugePages.KernelMode(File.ReadAllText(setting)) : null;
        if (HeapHugePages.Requested(Environment.GetEnvironmentVariable) || mode != "madvise") Assert.Null(advice);
        else Assert.Contains("GLIBC_TUNABLES=glibc.malloc.hugetlb=1", advice, StringComparison.Ordinal);
    }
}
