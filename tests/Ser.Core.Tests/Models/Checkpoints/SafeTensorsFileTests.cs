using Ser.Core.Models.Checkpoints;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.Checkpoints;

public sealed class SafeTensorsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ser-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Tensors_of_every_common_dtype_survive_a_round_trip()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["a.weight"] = randn(3, 4),
            ["b.half"] = randn(5).to(ScalarType.Float16),
            ["c.bf16"] = randn(2, 2).to(ScalarType.BFloat16),
            ["d.steps"] = tensor(42L),
            ["e.empty"] = zeros(0, 3),
        };
        var path = Path.Combine(_dir, "model.safetensors");

        SafeTensorsFile.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var loaded = SafeTensorsFile.Read(path);

        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.dtype, loaded[name].dtype);
            Assert.Equal(t.shape, loaded[name].shape);
            Assert.True(t.eq(loaded[name]).all().item<bool>(), name);
        }
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 255, 255, 255, 255, 255, 255, 255, 127, 0 })]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, (byte)'n', (byte)'o', (byte)'p', (byte)'e' })]
    public void Corrupt_files_raise_a_checkpoint_exception(byte[] content)
    {
        var path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, content);

        var e = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Read(path));
        Assert.Contains("not a valid safetensors file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offsets_that_point_past_the_data_are_refused()
    {
        var header = """{"w":{"dtype":"F32","shape":[1000000],"data_offsets":[0,4000000]}}"""u8.ToArray();
        var path = Path.Combine(_dir, "lying.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header, 0, 0, 0, 0]);

        Assert.Throws<CheckpointException>(() => SafeTensorsFile.Read(path));
    }
}
