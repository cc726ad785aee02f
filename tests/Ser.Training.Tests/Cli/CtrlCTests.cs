using System.Diagnostics;
using System.Runtime.InteropServices;
using Ser.Training.Cli;
using Ser.Training.Runs;
using Ser.Tests;

namespace Ser.Training.Tests.Cli;

/// <summary>A real ser-train process interrupted with SIGINT (Ctrl-C) mid-training, then resumed.</summary>
[CollectionDefinition(nameof(CtrlCTests), DisableParallelization = true)]
[Collection(nameof(CtrlCTests))]
public sealed partial class CtrlCTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-sigint-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Ctrl_c_stops_at_the_next_step_with_a_checkpoint_and_exit_130_then_resume_finishes()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var ct = TestContext.Current.CancellationToken;
        var corpus = Path.Combine(_temp, "synthetic");
        var data = Path.Combine(_temp, "data");
        using (var synth = Start("synth", "--out", corpus, "--actors", "6", "--sentences", "2")) await synth.WaitForExitAsync(ct);

        using var train = Start("train", "--architecture", "wav2vec2", "--preset", "wav2vec2-tiny", "--dataset-path", corpus,
            "--data", data, "--epochs", "3", "--batch-size", "4", "--checkpoint-every", "1");
        var stderrRead = train.StandardError.ReadToEndAsync(ct); // drained from the start: a full pipe would stall the child
        var state = await RunCheckpoints.WaitAsync(data, 0, ct);
        Assert.Equal(0, Kill(train.Id, 2)); // SIGINT, as Ctrl-C sends
        await train.WaitForExitAsync(ct);
        var stderr = await stderrRead;

        // The message shows how far training got if the signal did not stop it.
        Assert.True(train.ExitCode == ExitCodes.Cancelled, $"exit code {train.ExitCode}; stderr: {stderr}");
        Assert.Contains("Resume with: ser-train train --resume", stderr, StringComparison.Ordinal);
        var run = new RunRegistry(Path.Combine(data, "registry.db")).List().Single();
        Assert.Equal(RunState.Cancelled, run.State);
        Assert.True(File.Exists(state));

        using var resume = Start("train", "--resume", run.RunId, "--data", data);
        await resume.WaitForExitAsync(ct);

        Assert.Equal(ExitCodes.Success, resume.ExitCode);
        Assert.Equal(RunState.Succeeded, new RunRegistry(Path.Combine(data, "registry.db")).Find(run.RunId)!.State);
        Assert.NotNull(new RunStore(Path.Combine(data, "runs")).ReadStatus(run.RunId).ResumedFromStep);
    }

    private static Process Start(params string[] args)
    {
        var sigIntIgnored = SigIntIgnored();
        var info = new ProcessStartInfo(sigIntIgnored ? "env" : "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (sigIntIgnored)
        {
            // Started in the background by a shell without job control (nohup … &, some runners), this process inherits
            // SIGINT ignored, and ser-train would too (the runtime keeps it so, as Unix programs do): Ctrl-C could never
            // reach it. The child gets SIGINT back at its default, as a terminal's Ctrl-C finds it (coreutils env).
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add("dotnet");
        }
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ser-train.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    // /proc/self/status: "SigIgn:" and a hex mask, bit (signal − 1).
    private static bool SigIntIgnored() => File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
        && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 1)) != 0;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
