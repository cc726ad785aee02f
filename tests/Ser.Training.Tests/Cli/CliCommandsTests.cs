using Ser.Core.Data.Splits;
using Ser.Training.Cli;

namespace Ser.Training.Tests.Cli;

public sealed class CliCommandsTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await SerTrainCommand.RunAsync(args, output, error, cancellationToken: TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Synth_then_split_writes_an_actor_disjoint_split_file()
    {
        var corpus = Path.Combine(_temp, "synth");
        var split = Path.Combine(_temp, "split.json");

        var synth = await Run("synth", "--out", corpus, "--actors", "4", "--sentences", "1", "--seed", "3");
        var made = await Run("split", "--dataset-path", corpus, "--out", split, "--seed", "5", "--validation", "0.25", "--test", "0.25");

        Assert.Equal(ExitCodes.Success, synth.Code);
        Assert.Contains("Wrote 24 clips of 4 actors", synth.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, made.Code);
        var loaded = DataSplit.Load(split);
        Assert.Empty(loaded.Train.Speakers.Intersect(loaded.Test.Speakers));
        Assert.Equal(5, loaded.Seed);
    }

    [Fact]
    public async Task Validate_exits_3_and_prints_the_table_when_the_volume_is_not_cremad()
    {
        var corpus = Path.Combine(_temp, "synth");
        await Run("synth", "--out", corpus, "--actors", "2", "--sentences", "1");

        var result = await Run("validate", "--path", corpus);

        Assert.Equal(ExitCodes.DataProblem, result.Code);
        Assert.Contains("missing", result.Output, StringComparison.Ordinal);
        Assert.Contains("of 7442 manifest files present", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_with_sha256_shows_progress_like_train()
    {
        var corpus = Path.Combine(_temp, "synth");
        await Run("synth", "--out", corpus, "--actors", "2", "--sentences", "1");

        var result = await Run("validate", "--path", corpus, "--sha256");

        // Not a terminal here: a line at every tenth of the manifest, on the error stream, ending complete.
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("validate: ", StringComparison.Ordinal)).ToArray();
        Assert.InRange(lines.Length, 10, 11);
        Assert.Equal("validate: 0/7442 (0%)", lines[0].Replace(" %", "%", StringComparison.Ordinal));
        Assert.StartsWith("validate: 7442/7442", lines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("validate: ", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "split", "--dataset-path" }, "needs a value")]
    [InlineData(new[] { "split", "--bogus", "1" }, "unknown option '--bogus'")]
    [InlineData(new[] { "synth", "--actors", "many", "--out", "x" }, "expects a number")]
    [InlineData(new[] { "train", "--architecture", "lstm", "--dataset-path", "x" }, "'lstm' is not wav2vec2, resnet18 or both")]
    [InlineData(new[] { "split", "--dataset-path", "x", "--out", "y", "--strategy", "speaker" }, "unknown strategy")]
    public async Task Usage_errors_exit_2_and_name_the_problem(string[] args, string message)
    {
        var result = await Run(args);

        Assert.Equal(ExitCodes.Usage, result.Code);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_dataset_folder_is_a_data_problem_not_a_crash()
    {
        var result = await Run("split", "--dataset-path", Path.Combine(_temp, "nowhere"), "--out", Path.Combine(_temp, "s.json"));

        Assert.Equal(ExitCodes.DataProblem, result.Code);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("synth")]
    [InlineData("validate")]
    [InlineData("split")]
    [InlineData("train")]
    [InlineData("evaluate")]
    [InlineData("compare")]
    [InlineData("runs")]
    public async Task Every_command_has_help(string command)
    {
        var result = await Run(command, "--help");

        Assert.Equal(ExitCodes.Success, result.Code);
        Assert.Contains("ser-train " + command, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_lists_an_empty_registry_with_a_header()
    {
        var result = await Run("runs", "--data", Path.Combine(_temp, "data"));

        Assert.Equal(ExitCodes.Success, result.Code);
        Assert.StartsWith("run ", result.Output, StringComparison.Ordinal);
    }
}
