namespace Ser.Training.Loops;

/// <summary>Reports synchronously, in order, on the caller's thread (unlike <see cref="Progress{T}"/>).</summary>
public sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
