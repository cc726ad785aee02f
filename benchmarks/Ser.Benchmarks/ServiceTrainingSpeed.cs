using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Ser.Core.Data.Synthetic;
using Ser.Core.Runtime;
using Ser.Training.Runs;

namespace Ser.Benchmarks;

/// <summary>Training speed through the service (<c>POST /jobs/train</c>) against <c>ser-train train</c>: the same preset,
/// corpus (the bootstrap's 1,104 synthetic clips) and epochs, each in a fresh process, alternating, in one run. Prints each
/// epoch's clips/s and the service's share of the CLI's speed (issue: ≥ 90 %).</summary>
internal static class ServiceTrainingSpeed
{
    public static async Task RunAsync(string cliDll, string apiDll, string preset, int epochs, int rounds)
    {
        var root = Directory.CreateTempSubdirectory("ser-svc-train-").FullName;
        try
        {
            var corpus = Path.Combine(root, "corpus");
            SyntheticCorpusGenerator.Generate(corpus, new SyntheticCorpusOptions { Actors = 24, Sentences = 6, Seed = 7 });
            Console.WriteLine($"{preset}, {epochs} epochs of 1,104 synthetic clips; {Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(cliDll)))} builds; CPU {CpuInfo.Current.Model}, {Environment.ProcessorCount} cores");
            Console.WriteLine("| round | ser-train clips/s per epoch | POST /jobs/train clips/s per epoch | service / CLI (epochs after the first) |");
            Console.WriteLine("|---|---|---|---|");
            var ratios = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var cli = await CliAsync(cliDll, corpus, Path.Combine(root, $"cli-{round}"), preset, epochs).ConfigureAwait(false);
                var service = await ServiceAsync(apiDll, corpus, Path.Combine(root, $"api-{round}"), preset, epochs).ConfigureAwait(false);
                ratios.Add(Steady(service) / Steady(cli));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {round} | {string.Join(", ", cli.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture)))} | {string.Join(", ", service.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture)))} | {ratios[^1]:P0} |"));
            }
            ratios.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median service / CLI: {ratios[ratios.Count / 2]:P0}"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double[]> CliAsync(string cliDll, string corpus, string data, string preset, int epochs)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cliDll, "train", "--architecture", Architecture(preset), "--preset", preset,
            "--dataset-path", corpus, "--dataset-kind", "synthetic", "--dataset", "synthetic", "--epochs", Text(epochs), "--patience", "0", "--data", data })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0) throw new InvalidOperationException($"ser-train failed: {await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        return EpochSpeeds(data);
    }

    private static async Task<double[]> ServiceAsync(string apiDll, string corpus, string data, string preset, int epochs)
    {
        using var service = new SerProcess(apiDll, new Dictionary<string, string>
        {
            ["Ser__DataPath"] = data, ["Ser__Bootstrap__Enabled"] = "false", ["Ser__Datasets__synthetic__Path"] = corpus,
            ["Ser__Datasets__synthetic__Kind"] = "synthetic", ["Serilog__MinimumLevel__Default"] = "Warning",
        });
        await service.WaitForAsync("/health/live").ConfigureAwait(false);
        var response = await service.Http.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), new
        {
            architecture = Architecture(preset), preset, dataset = "synthetic", hyperParameters = new { epochs, patience = 0 },
        }).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /jobs/train: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        var location = response.Headers.Location!;
        while (true)
        {
            await Task.Delay(1000).ConfigureAwait(false);
            var job = await service.Http.GetFromJsonAsync<JsonElement>(location).ConfigureAwait(false);
            var state = job.GetProperty("state").GetString();
            if (state == "succeeded") return EpochSpeeds(data);
            if (state is "failed" or "cancelled") throw new InvalidOperationException($"job {state}: {job}");
        }
    }

    private static double[] EpochSpeeds(string data)
    {
        var store = new RunStore(Path.Combine(data, "runs"));
        var run = Directory.GetDirectories(store.Root).Single();
        return store.ReadTraining(Path.GetFileName(run))!.History.Select(e => e.ClipsPerSecond).ToArray();
    }

    // The first epoch compiles kernels and warms the JIT in either process; later ones show the steady speed.
    private static double Steady(double[] epochs) => epochs.Length > 1 ? epochs.Skip(1).Average() : epochs[0];

    private static string Architecture(string preset) => preset.StartsWith("wav2vec2", StringComparison.Ordinal) ? "wav2vec2" : "resnet18";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
