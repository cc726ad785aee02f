namespace Ser.Core.Audio;

/// <summary>The one exception the WAV decoder raises for bad input; its message says what is wrong.</summary>
public sealed class AudioFormatException : Exception
{
    public AudioFormatException(AudioError error, string message) : base(message) => Error = error;

    public AudioFormatException() : this(AudioError.Malformed, "Invalid audio.") { }

    public AudioFormatException(string message) : this(AudioError.Malformed, message) { }

    public AudioFormatException(string message, Exception innerException) : base(message, innerException)
        => Error = AudioError.Malformed;

    public AudioError Error { get; }
}
