using Ser.Core.Features;

namespace Ser.Core.Models.ResNet;

/// <summary>Shape of a spectrogram ResNet18 and its front end.</summary>
/// <param name="BaseWidth">Channels of the first stage (64 in torchvision; 16 in the tiny preset).</param>
/// <param name="InChannels">1 (one log-mel plane) or 3 (the plane replicated, for unmodified ImageNet stems).</param>
/// <param name="FrontEnd">Log-mel parameters.</param>
/// <param name="WindowSeconds">Fixed input length: shorter clips are padded, longer ones scored in windows.</param>
public sealed record ResNetSpec(int BaseWidth, int InChannels, LogMelOptions FrontEnd, double WindowSeconds)
{
    /// <summary>Frames per window at the front end's hop.</summary>
    public long WindowFrames => FrontEnd.Frames((long)Math.Round(WindowSeconds * FrontEnd.SampleRate));
}
