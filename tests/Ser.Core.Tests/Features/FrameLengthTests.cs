using Ser.Core.Features;
using Ser.Core.Models;
using Ser.Core.Models.Checkpoints;
using Ser.Core.Models.Wav2Vec2;
using Ser.Tests;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Features;

/// <summary>Issue 14: the one frame-length formula agrees with the fixtures' shapes and with the layers it stands for.</summary>
public sealed class FrameLengthTests
{
    [Theory]
    [InlineData("wav2vec2-tiny-base")]
    [InlineData("wav2vec2-tiny-stable")]
    public void The_conv_stack_length_matches_the_reference_conv_features(string model)
    {
        var config = Wav2Vec2Config.Load(TestPaths.Fixture(model, "config.json"));
        var cases = Wav2Vec2Fixture.Cases(model);
        try
        {
            foreach (var i in new[] { 0, 1 })
                Assert.Equal(cases[$"conv_features_{i}"].shape[1], config.FrameCount(cases[$"input_values_{i}"].shape[1]));
        }
        finally
        {
            foreach (var t in cases.Values) t.Dispose();
        }
    }

    [Fact]
    public void Stft_frames_match_the_reference_log_mels()
    {
        var cases = SafeTensorsFile.Read(TestPaths.Fixture("melspec", "cases.safetensors"));
        try
        {
            var samples = cases["waveform"].shape[^1];
            // Sets a and b of params.json: centred, n_fft 400 / hop 160 and n_fft 512 / hop 128.
            Assert.Equal(cases["mel_a"].shape[^1], FrameLength.Stft(samples, 400, 160, center: true));
            Assert.Equal(cases["mel_b"].shape[^1], FrameLength.Stft(samples, 512, 128, center: true));
        }
        finally
        {
            foreach (var t in cases.Values) t.Dispose();
        }
    }

    // An odd n_fft is padded by n_fft / 2 (rounded down) each side: samples / hop + 1 counted one frame too many.
    [Theory]
    [InlineData(400, 160, true, 1600)]
    [InlineData(401, 160, true, 1600)]
    [InlineData(401, 100, true, 999)]
    [InlineData(400, 160, false, 1600)]
    [InlineData(401, 160, false, 401)]
    public void Log_mel_frames_are_what_the_stft_makes(int nFft, int hop, bool center, int samples)
    {
        var options = new LogMelOptions { NFft = nFft, HopLength = hop, Center = center, NMels = 16 };
        using var frontEnd = new LogMelSpectrogram(options);
        using var scope = NewDisposeScope();

        var mel = frontEnd.Mel(zeros(1, samples));

        Assert.Equal(mel.shape[^1], options.Frames(samples));
    }

    [Fact]
    public void Wav2vec2_frame_lengths_match_the_feature_encoder_and_the_receptive_field_is_the_shortest_input()
    {
        var config = ModelPresets.Wav2Vec2Tiny.Wav2Vec2!;
        using var model = new Wav2Vec2Model(config);
        using var encoder = new Wav2Vec2FeatureEncoder(config);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        long[] lengths = [400, 401, 719, 720, 1234, 16_000];

        var frames = model.FrameLengths(tensor(lengths)).data<long>().ToArray();

        Assert.Equal(lengths.Select(n => encoder.forward(zeros(1, n)).shape[1]), frames);
        Assert.Equal(400, config.ReceptiveField);
        Assert.Equal(1, config.FrameCount(config.ReceptiveField));
        Assert.Equal(0, config.FrameCount(config.ReceptiveField - 1));
        Assert.Equal([0L, 0L, 1L], model.FrameLengths(tensor(new long[] { 0, 399, 400 })).data<long>().ToArray());
    }

    [Fact]
    public void A_window_that_does_not_fit_yields_no_frame_and_padding_widens_the_input()
    {
        Assert.Equal(0, FrameLength.Conv(9, kernel: 10, stride: 5));
        Assert.Equal(1, FrameLength.Conv(10, kernel: 10, stride: 5));
        Assert.Equal(112, FrameLength.Conv(224, kernel: 7, stride: 2, padding: 3)); // torchvision's ResNet stem
        Assert.Equal(40, FrameLength.ReceptiveField([10, 3, 3], [5, 2, 2]));
        Assert.Equal(1, FrameLength.ConvStack(40, [10, 3, 3], [5, 2, 2]));
        Assert.Equal(0, FrameLength.ConvStack(39, [10, 3, 3], [5, 2, 2]));
    }
}
