using Ser.Core.Data;
using Ser.Core.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Training.Loops;

/// <summary>What the trainer needs from a model family: its module, optimizer with parameter groups, how a batch
/// of clips becomes tensors (crop, pad, augment), and how the trained model is served and saved.</summary>
public interface ITrainableModel : IDisposable
{
    string Architecture { get; }

    string Preset { get; }

    nn.Module Network { get; }

    /// <summary>Where the network lives; batches are collated on the CPU and moved there.</summary>
    Device Device { get; }

    /// <summary>An optimizer over the trainable parameters, with each group's base learning rate.</summary>
    (OptimizerHelper Optimizer, IReadOnlyList<double> BaseLearningRates) CreateOptimizer(ResolvedHyperParameters hyper);

    /// <summary>Training batch: random crops and augmentation drawn from <paramref name="random"/> only.</summary>
    TrainingBatch Collate(IReadOnlyList<(float[] Samples, int Label)> clips, DeterministicRandom random);

    /// <summary>Logits [batch, labels].</summary>
    Tensor Forward(TrainingBatch batch) => Forward(batch, Network);

    /// <summary>Logits [batch, labels] of <paramref name="network"/>: <see cref="Network"/> or a twin from <see cref="CreateTwin"/>.</summary>
    Tensor Forward(TrainingBatch batch, nn.Module network);

    /// <summary>A new network of the same architecture on <see cref="Device"/>, weights arbitrary (<see cref="Bf16Twin"/>).</summary>
    nn.Module CreateTwin();

    /// <summary>A classifier over the current weights, as the service runs it (does not take the module over).</summary>
    IEmotionClassifier ToClassifier();

    /// <summary>The model in its serving format (HF folder for Wav2Vec2, Ser ResNet folder), written atomically.</summary>
    void SaveModel(string directory);
}
