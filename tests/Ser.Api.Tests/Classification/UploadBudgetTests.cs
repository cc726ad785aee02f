using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Core.Audio;

namespace Ser.Api.Tests.Classification;

/// <summary>Issue 12, item 4: the memory budget holds under concurrency.</summary>
public sealed class UploadBudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static UploadBudget Budget(int mib, double waitSeconds, int decodes = 2) =>
        new(Options.Create(new AudioOptions { MemoryBudgetMiB = mib, BudgetWaitSeconds = waitSeconds, MaxConcurrentDecodes = decodes }));

    [Fact]
    public async Task Reservations_past_the_budget_wait_their_turn_in_arrival_order()
    {
        using var budget = Budget(16, waitSeconds: 30);
        using var first = budget.Open();
        await first.GrowAsync(12 << 20, Ct);
        using var second = budget.Open();
        using var third = budget.Open();

        var secondGrant = second.GrowAsync(8 << 20, Ct);
        var thirdGrant = third.GrowAsync(1 << 20, Ct); // would fit now, but waits behind the second
        await Task.Delay(200, Ct);
        Assert.False(secondGrant.IsCompleted);
        Assert.False(thirdGrant.IsCompleted);
        Assert.Equal(12L << 20, budget.Used);

        first.Dispose();
        await secondGrant.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await thirdGrant.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(9L << 20, budget.Used);
    }

    [Fact]
    public async Task A_request_that_finds_no_room_in_time_gets_503_and_leaves_nothing_reserved()
    {
        using var budget = Budget(16, waitSeconds: 0.2);
        using var holder = budget.Open();
        await holder.GrowAsync(10 << 20, Ct);
        using var late = budget.Open();

        var refused = await Assert.ThrowsAsync<UploadException>(() => late.GrowAsync(10 << 20, Ct));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refused.Status);
        Assert.NotNull(refused.RetryAfterSeconds);
        Assert.Equal(10L << 20, budget.Used);
    }

    [Fact]
    public async Task A_request_larger_than_the_whole_budget_is_a_413_at_once()
    {
        using var budget = Budget(16, waitSeconds: 30);
        using var reservation = budget.Open();
        await reservation.GrowAsync(10 << 20, Ct);

        var refused = await Assert.ThrowsAsync<UploadException>(() => reservation.GrowAsync(7 << 20, Ct));

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, refused.Status);
        Assert.Contains("Ser:Audio:MemoryBudgetMiB", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decodes_beyond_the_concurrency_limit_wait_for_a_slot()
    {
        using var budget = Budget(16, waitSeconds: 0.2, decodes: 1);
        var slot = await budget.DecodeSlotAsync(Ct);

        var refused = await Assert.ThrowsAsync<UploadException>(() => budget.DecodeSlotAsync(Ct));
        slot.Dispose();
        using var next = await budget.DecodeSlotAsync(Ct);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refused.Status);
    }
}
