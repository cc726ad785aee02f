namespace Ser.Core.Audio;

/// <summary>Why a stream could not be decoded; lets callers map failures (e.g. to HTTP 400/413/415).</summary>
public enum AudioError
{
    /// <summary>The stream holds no bytes.</summary>
    Empty,
    /// <summary>Not a RIFF/WAVE file (the message names what it looks like).</summary>
    NotWave,
    /// <summary>A header or the sample data ends early, or a chunk claims more bytes than the stream holds.</summary>
    Truncated,
    /// <summary>Header fields are inconsistent or invalid (zero channels, zero rate, bad block align, no data).</summary>
    Malformed,
    /// <summary>A valid WAV whose codec, bit depth, channel count or rate this decoder does not take.</summary>
    Unsupported,
    /// <summary>Floating-point samples that are NaN or infinite.</summary>
    NonFiniteSamples,
    /// <summary>More bytes than the configured limit.</summary>
    TooLarge,
    /// <summary>Longer than the configured limit.</summary>
    TooLong,
}
