using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;
using static TorchSharp.torch;

namespace Ser.Training.Tests.Loops;

/// <summary>A preset's recipe with seeded weights, for trainer tests that compare two runs of the same model.</summary>
internal static class TinyRecipes
{
    public static ResolvedHyperParameters Resolve(string preset, HyperParameters h)
    {
        var p = ModelPresets.Get(preset);
        return p.Wav2Vec2 is null ? ResNetRecipe.Defaults(h, p) : Wav2Vec2Recipe.Defaults(h, p);
    }

    public static ITrainableModel Create(string preset, ResolvedHyperParameters hyper)
    {
        manual_seed(hyper.Seed);
        var p = ModelPresets.Get(preset);
        return p.Wav2Vec2 is { } config
            ? new Wav2Vec2Recipe(new Wav2Vec2ForSequenceClassification(config), preset, hyper)
            : new ResNetRecipe(new ResNet18(6, p.ResNet!.InChannels, p.ResNet.BaseWidth), p.ResNet, preset, hyper);
    }
}
