namespace Ser.Api.Classification.Contracts;

/// <summary>Answer of <c>POST /classify/batch</c>: one entry per file, in request order.</summary>
public sealed record BatchClassifyResponse(IReadOnlyList<BatchItem> Results);
