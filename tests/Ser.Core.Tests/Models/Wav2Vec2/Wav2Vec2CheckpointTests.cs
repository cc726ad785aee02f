using System.Text.Json.Nodes;
using Ser.Core.Models;
using Ser.Core.Models.Checkpoints;
using Ser.Core.Models.Wav2Vec2;
using Ser.Tests;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.Wav2Vec2;

public sealed class Wav2Vec2CheckpointTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-w2vck-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("wav2vec2-tiny-base")]
    [InlineData("wav2vec2-tiny-stable")]
    public void Save_then_load_gives_identical_logits_and_hugging_face_names(string fixture)
    {
        using var original = Wav2Vec2Fixture.Load(fixture, parametrizations: true, _temp, weighted: true);
        var saved = Path.Combine(_temp, "saved");
        Wav2Vec2Checkpoint.Save(original, saved);

        using var loaded = Wav2Vec2Checkpoint.Load(saved);
        loaded.eval();
        var cases = Wav2Vec2Fixture.Cases(fixture);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();

        Assert.True(original.forward(cases["input_values_1"], null).equal(loaded.forward(cases["input_values_1"], null)).all().item<bool>());
        var keys = SafeTensorsFile.ReadIndex(Path.Combine(saved, "model.safetensors")).Keys.ToHashSet();
        Assert.Contains("wav2vec2.encoder.pos_conv_embed.conv.weight_g", keys);
        Assert.Contains("wav2vec2.feature_extractor.conv_layers.0.conv.weight", keys);
        Assert.Contains("classifier.weight", keys);
        Assert.Contains("layer_weights", keys);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "config.json")))!;
        Assert.Equal("Wav2Vec2ForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("angry", config["id2label"]!["2"]!.GetValue<string>());
        Assert.Equal(2, config["label2id"]!["angry"]!.GetValue<int>());
        Assert.True(config["use_weighted_layer_sum"]!.GetValue<bool>());
        Assert.Empty(Directory.GetDirectories(_temp, ".saved*"));
    }

    [Theory]
    [InlineData("wav2vec2-tiny-base", false)]
    [InlineData("wav2vec2-tiny-stable", true)]
    public void Masked_spec_embed_and_the_feature_extractor_settings_are_saved_as_transformers_expects(string fixture, bool attentionMask)
    {
        var folder = Wav2Vec2Fixture.Folder(fixture, false, _temp);
        using var file = SafeTensorsFile.Read(Path.Combine(folder, "model.safetensors"))[Wav2Vec2Checkpoint.MaskedSpecEmbed];
        using var model = Wav2Vec2Checkpoint.Load(folder);
        var saved = Path.Combine(_temp, "saved");
        Wav2Vec2Checkpoint.Save(model, saved);

        using var kept = model.state_dict()[Wav2Vec2Checkpoint.MaskedSpecEmbed];
        using var written = SafeTensorsFile.Read(Path.Combine(saved, "model.safetensors"))[Wav2Vec2Checkpoint.MaskedSpecEmbed];
        Assert.True(kept.equal(file).all().item<bool>());
        Assert.True(written.equal(file).all().item<bool>());
        Assert.DoesNotContain(Wav2Vec2Checkpoint.MaskedSpecEmbed, model.named_parameters().Select(p => p.name)); // no optimizer sees it
        var preprocessor = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, Wav2Vec2Checkpoint.PreprocessorFile)))!;
        Assert.Equal("Wav2Vec2FeatureExtractor", preprocessor["feature_extractor_type"]!.GetValue<string>());
        Assert.Equal(16_000, preprocessor["sampling_rate"]!.GetValue<int>());
        Assert.True(preprocessor["do_normalize"]!.GetValue<bool>());
        Assert.Equal(attentionMask, preprocessor["return_attention_mask"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("wav2vec2-tiny-base")]
    [InlineData("wav2vec2-tiny-stable")]
    public void A_saved_folder_holds_the_backbone_keys_transformers_wrote_and_no_others(string fixture)
    {
        using var model = Wav2Vec2Fixture.Load(fixture, parametrizations: false, _temp, weighted: true);
        var saved = Path.Combine(_temp, "saved");
        Wav2Vec2Checkpoint.Save(model, saved);

        // The fixture is a pre-training checkpoint saved by transformers: its quantizer and projections are another task's.
        string[] otherTask = ["quantizer.", "project_q.", "project_hid."];
        var theirs = SafeTensorsFile.ReadIndex(TestPaths.Fixture(fixture, "model.safetensors")).Keys
            .Where(k => !otherTask.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToHashSet();
        var ours = SafeTensorsFile.ReadIndex(Path.Combine(saved, "model.safetensors")).Keys.ToHashSet();
        string[] head = ["projector.weight", "projector.bias", "classifier.weight", "classifier.bias", "layer_weights"];

        Assert.Empty(theirs.Except(ours));
        Assert.Empty(ours.Except(theirs).Except(head));
    }

    [Fact]
    public void A_model_built_inside_a_dispose_scope_keeps_its_masked_spec_embed_after_the_scope()
    {
        Wav2Vec2ForSequenceClassification model;
        using (NewDisposeScope()) model = new Wav2Vec2ForSequenceClassification(ModelPresets.Wav2Vec2Tiny.Wav2Vec2!);
        using (model)
        {
            var saved = Path.Combine(_temp, "saved");
            Wav2Vec2Checkpoint.Save(model, saved);

            using var embed = SafeTensorsFile.Read(Path.Combine(saved, "model.safetensors"))[Wav2Vec2Checkpoint.MaskedSpecEmbed];
            Assert.Equal([ModelPresets.Wav2Vec2Tiny.Wav2Vec2!.HiddenSize], embed.shape);
            Assert.True(embed.ge(Scalars.Of(0)).logical_and(embed.lt(Scalars.Of(1))).all().item<bool>()); // HF's U(0, 1)
        }
    }

    [Fact]
    public void A_folder_without_masked_spec_embed_loads_and_a_config_without_masking_neither_keeps_nor_saves_it()
    {
        var folder = Wav2Vec2Fixture.Folder("wav2vec2-tiny-base", false, _temp);
        var weights = SafeTensorsFile.Read(Path.Combine(folder, "model.safetensors"));
        weights.Remove(Wav2Vec2Checkpoint.MaskedSpecEmbed);
        SafeTensorsFile.Write(Path.Combine(folder, "model.safetensors"), weights);
        using (var older = Wav2Vec2Checkpoint.Load(folder))
            Assert.Contains(Wav2Vec2Checkpoint.MaskedSpecEmbed, older.state_dict().Keys);

        var masking = Wav2Vec2Fixture.Folder("wav2vec2-tiny-stable", false, _temp);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(masking, "config.json")))!;
        config["mask_time_prob"] = 0.0;
        File.WriteAllText(Path.Combine(masking, "config.json"), config.ToJsonString());
        using var off = Wav2Vec2Checkpoint.Load(masking);
        var saved = Path.Combine(_temp, "saved");
        Wav2Vec2Checkpoint.Save(off, saved);

        Assert.DoesNotContain(Wav2Vec2Checkpoint.MaskedSpecEmbed, off.state_dict().Keys);
        Assert.DoesNotContain(Wav2Vec2Checkpoint.MaskedSpecEmbed, SafeTensorsFile.ReadIndex(Path.Combine(saved, "model.safetensors")).Keys);
        Assert.Equal(0.0, JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "config.json")))!["mask_time_prob"]!.GetValue<double>());
    }

    [Fact]
    public void Keys_without_the_wav2vec2_prefix_and_a_pickled_pytorch_model_bin_load_to_the_same_outputs()
    {
        var reference = Wav2Vec2Fixture.Folder("wav2vec2-tiny-stable", false, _temp);
        var weights = SafeTensorsFile.Read(Path.Combine(reference, "model.safetensors"));
        var bare = Path.Combine(_temp, "bare");
        Directory.CreateDirectory(bare);
        File.Copy(Path.Combine(reference, "config.json"), Path.Combine(bare, "config.json"));
        var stripped = weights.ToDictionary(p => p.Key.Replace("wav2vec2.", "", StringComparison.Ordinal), p => p.Value);
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(Path.Combine(bare, "pytorch_model.bin"), stripped);

        using var expected = Wav2Vec2Checkpoint.Load(reference);
        using var actual = Wav2Vec2Checkpoint.Load(bare);
        expected.eval();
        actual.eval();
        var cases = Wav2Vec2Fixture.Cases("wav2vec2-tiny-stable");
        using var scope = NewDisposeScope();
        using var mode = inference_mode();

        using var a = expected.Backbone.Forward(cases["input_values_0"]);
        using var b = actual.Backbone.Forward(cases["input_values_0"]);
        Assert.True(a.LastHiddenState.equal(b.LastHiddenState).all().item<bool>());
    }

    [Fact]
    public void A_backbone_only_checkpoint_gets_a_fresh_head_with_the_requested_labels()
    {
        var folder = Wav2Vec2Fixture.Folder("wav2vec2-tiny-base", false, _temp);

        using var model = Wav2Vec2Checkpoint.Load(folder, labels: ["calm", "loud"]);

        Assert.Equal(["calm", "loud"], model.Config.Labels);
    }

    [Fact]
    public void Half_precision_weights_load_as_float32()
    {
        var folder = Wav2Vec2Fixture.Folder("wav2vec2-tiny-stable", false, _temp);
        var weights = SafeTensorsFile.Read(Path.Combine(folder, "model.safetensors"));
        SafeTensorsFile.Write(Path.Combine(folder, "model.safetensors"), weights.ToDictionary(p => p.Key, p => p.Value.to(ScalarType.BFloat16)));

        using var model = Wav2Vec2Checkpoint.Load(folder);

        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void A_base_checkpoint_under_a_stable_config_lists_missing_keys()
    {
        var folder = Wav2Vec2Fixture.Folder("wav2vec2-tiny-base", false, _temp);
        File.Copy(TestPaths.Fixture("wav2vec2-tiny-stable", "config.json"), Path.Combine(folder, "config.json"), overwrite: true);

        var e = Assert.Throws<CheckpointException>(() => Wav2Vec2Checkpoint.Load(folder));

        Assert.Contains("missing keys", e.Message, StringComparison.Ordinal);
        Assert.Contains("wav2vec2.feature_extractor.conv_layers.1.layer_norm.weight", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_of_another_width_lists_the_shape_mismatches()
    {
        var folder = Wav2Vec2Fixture.Folder("wav2vec2-tiny-base", false, _temp);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        config["intermediate_size"] = 48;
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());

        var e = Assert.Throws<CheckpointException>(() => Wav2Vec2Checkpoint.Load(folder));

        Assert.Contains("shape mismatches", e.Message, StringComparison.Ordinal);
        Assert.Contains("feed_forward.intermediate_dense.weight: checkpoint [64, 32], model [48, 32]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unexpected_keys_are_listed_and_pretraining_keys_are_not()
    {
        var folder = Wav2Vec2Fixture.Folder("wav2vec2-tiny-base", false, _temp);
        var weights = SafeTensorsFile.Read(Path.Combine(folder, "model.safetensors"));
        weights["wav2vec2.encoder.layers.7.attention.q_proj.weight"] = zeros(32, 32);
        SafeTensorsFile.Write(Path.Combine(folder, "model.safetensors"), weights);

        var e = Assert.Throws<CheckpointException>(() => Wav2Vec2Checkpoint.Load(folder));

        Assert.Contains("unexpected keys (1): wav2vec2.encoder.layers.7.attention.q_proj.weight", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("quantizer", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model_type": "bert"}""", "'bert' model")]
    [InlineData("""{"conv_dim": [32, 32], "conv_kernel": [10], "conv_stride": [5]}""", "same non-zero length")]
    [InlineData("""{"hidden_size": 30, "num_attention_heads": 4}""", "multiple of num_attention_heads")]
    [InlineData("""{"hidden_size": "wide"}""", "wrong type")]
    [InlineData("""not json""", "Cannot read")]
    public void A_wrong_config_fails_with_a_clear_message(string json, string expected)
    {
        var folder = Wav2Vec2Fixture.Folder("wav2vec2-tiny-base", false, _temp);
        File.WriteAllText(Path.Combine(folder, "config.json"), json);

        var e = Assert.Throws<CheckpointException>(() => Wav2Vec2Checkpoint.Load(folder));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_weights_says_which_files_it_expected()
    {
        var folder = Path.Combine(_temp, "empty");
        Directory.CreateDirectory(folder);
        File.Copy(TestPaths.Fixture("wav2vec2-tiny-base", "config.json"), Path.Combine(folder, "config.json"));

        var e = Assert.Throws<CheckpointException>(() => Wav2Vec2Checkpoint.Load(folder));

        Assert.Contains("pytorch_model.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Freezing_options_select_what_trains()
    {
        using var model = new Wav2Vec2ForSequenceClassification(ModelPresets.Wav2Vec2Tiny.Wav2Vec2!);
        var all = model.EncoderParameters().Count();

        model.FreezeFeatureEncoder();
        var afterEncoderFreeze = model.EncoderParameters().Count();
        model.FreezeBaseModel();

        Assert.True(afterEncoderFreeze < all);
        Assert.Empty(model.EncoderParameters());
        Assert.Equal(4, model.HeadParameters().Count());
    }
}
