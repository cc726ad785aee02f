namespace Ser.Api.Models.Contracts;

/// <summary>How the model's forward passes run in this process.</summary>
/// <param name="Threads">libtorch threads its passes run on now: <c>Ser:Inference:PassThreads</c> where set, else its
/// share by measured cost among the served models.</param>
/// <param name="OneThreadMs">One pass over 2 s of audio on one thread, timed when it loaded (null: not measured).</param>
/// <param name="AllThreadsMs">The same on <paramref name="MeasuredThreads"/> threads, all of libtorch's.</param>
public sealed record PassInfo(int Threads, double? OneThreadMs, double? AllThreadsMs, int? MeasuredThreads);
