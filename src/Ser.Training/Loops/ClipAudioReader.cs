using Ser.Core.Audio;
using Ser.Core.Data;

namespace Ser.Training.Loops;

/// <summary>Reads a clip's samples (16 kHz mono) for training and evaluation.</summary>
public sealed class ClipAudioReader(WavDecoder decoder)
{
    public ClipAudioReader() : this(new WavDecoder()) { }

    /// <exception cref="AudioFormatException">The clip cannot be decoded (corpora are probed before training).</exception>
    public float[] Read(ClipInfo clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        return decoder.Decode(File.ReadAllBytes(clip.Path)).Samples;
    }

    /// <summary>The corpus without clips that fail to decode or hold no audio, each excluded with its reason.</summary>
    public Corpus ExcludeUndecodable(Corpus corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var excluded = new List<ExcludedClip>(corpus.Excluded);
        var kept = new List<ClipInfo>();
        foreach (var clip in corpus.Clips)
        {
            try
            {
                var audio = decoder.Decode(File.ReadAllBytes(clip.Path));
                if (audio.Quality.IsSilent) excluded.Add(new ExcludedClip(Path.GetFileName(clip.Path), "holds no audio (digital silence)"));
                else kept.Add(clip);
            }
            catch (Exception e) when (e is AudioFormatException or IOException)
            {
                excluded.Add(new ExcludedClip(Path.GetFileName(clip.Path), e.Message));
            }
        }
        return kept.Count == corpus.Clips.Count ? corpus : new Corpus(corpus.Name, corpus.Kind, corpus.Root, kept, excluded);
    }
}
