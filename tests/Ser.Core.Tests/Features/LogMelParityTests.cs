using System.Text.Json;
using Ser.Core.Features;
using Ser.Core.Models.Checkpoints;
using Ser.Tests;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Features;

/// <summary>Parity with torchaudio 0.13 on ../shared/fixtures/melspec (tolerances from its README).</summary>
public sealed class LogMelParityTests : IDisposable
{
    private readonly Dictionary<string, Tensor> _cases = SafeTensorsFile.Read(TestPaths.Fixture("melspec", "cases.safetensors"));

    public void Dispose()
    {
        foreach (var t in _cases.Values) t.Dispose();
    }

    public static TheoryData<string> Sets => ["a", "b"];

    private static LogMelOptions Options(string set)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("melspec", "params.json")));
        var p = doc.RootElement.GetProperty(set);
        return new LogMelOptions
        {
            SampleRate = p.GetProperty("sample_rate").GetInt32(),
            NFft = p.GetProperty("n_fft").GetInt32(),
            WinLength = p.GetProperty("win_length").GetInt32(),
            HopLength = p.GetProperty("hop_length").GetInt32(),
            FMin = p.GetProperty("f_min").GetDouble(),
            FMax = p.GetProperty("f_max").ValueKind == JsonValueKind.Null ? null : p.GetProperty("f_max").GetDouble(),
            NMels = p.GetProperty("n_mels").GetInt32(),
            Power = p.GetProperty("power").GetDouble(),
            MelScale = p.GetProperty("mel_scale").GetString() == "htk" ? MelScale.Htk : MelScale.Slaney,
            Norm = p.GetProperty("norm").ValueKind == JsonValueKind.Null ? MelNorm.None : MelNorm.Slaney,
            TopDb = 80,
        };
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Filter_banks_match_torchaudio(string set)
    {
        var o = Options(set);
        using var bank = MelFilterBank.Create(o.NFft / 2 + 1, o.FMin, o.EffectiveFMax, o.NMels, o.SampleRate, o.Norm, o.MelScale);

        Assert.Equal(_cases[$"fbank_{set}"].shape, bank.shape);
        Assert.True(bank.allclose(_cases[$"fbank_{set}"], rtol: 1e-4, atol: 1e-6), MaxDiff(bank, _cases[$"fbank_{set}"]));
    }

    // The reference is float32 torch 1.13: on a few low bins its own FFT rounding reaches 2.7e-4 relative
    // (our float32 result equals a float64 STFT there to 2e-7). So relative error is measured against each
    // clip's peak, as ‖Δ‖∞ / ‖ref‖∞ ≤ 1e-4, with an element-wise bound on top.
    [Theory]
    [MemberData(nameof(Sets))]
    public void Mel_power_matches_within_relative_1e_4(string set)
    {
        using var frontEnd = new LogMelSpectrogram(Options(set));
        using var scope = NewDisposeScope();
        var mel = frontEnd.Mel(_cases["waveform"]);
        var expected = _cases[$"mel_{set}"];

        Assert.Equal(expected.shape, mel.shape);
        var diff = (mel - expected).abs();
        var normwise = (diff.max() / expected.abs().max()).item<float>();
        var elementwise = (diff / expected.abs().clamp_min(Scalars.Of(1e-6))).max().item<float>();
        Assert.True(normwise <= 1e-4, $"max |Δ| / max |ref| = {normwise}");
        Assert.True(elementwise <= 1e-3, $"max element-wise relative diff {elementwise}");
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Decibels_match_within_1e_3(string set)
    {
        using var frontEnd = new LogMelSpectrogram(Options(set));
        using var scope = NewDisposeScope();
        var diff = (frontEnd.Compute(_cases["waveform"]) - _cases[$"db_{set}"]).abs();

        // Same float32 reference noise as above: ≤ 1e-3 dB on all but 0.1 % of bins, ≤ 5e-3 dB everywhere.
        var over = diff.gt(Scalars.Of(1e-3)).sum().item<long>();
        Assert.True(over <= diff.numel() / 1000, $"{over} of {diff.numel()} bins differ by more than 1e-3 dB");
        Assert.True(diff.max().item<float>() <= 5e-3, $"max abs diff {diff.max().item<float>()} dB");
    }

    [Fact]
    public void A_clips_features_do_not_depend_on_its_batch_neighbours()
    {
        using var frontEnd = new LogMelSpectrogram(new LogMelOptions());
        using var scope = NewDisposeScope();
        var quiet = _cases["waveform"].mul(Scalars.Of(0.001));
        var loud = _cases["waveform"].mul(Scalars.Of(10));

        var alone = frontEnd.Compute(quiet);
        var batched = frontEnd.Compute(cat([quiet, loud], 0));

        Assert.True(batched[0].allclose(alone[0], rtol: 1e-5, atol: 1e-4));
    }

    private static string MaxDiff(Tensor a, Tensor b) => $"max abs diff {(a - b).abs().max().item<float>()}";
}
