using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Ser.Api.Contracts;

/// <summary>Answer of <c>POST /classify/batch</c>: one entry per file, in request order.</summary>
public sealed record BatchClassifyResponse(IReadOnlyList<BatchItem> Results);

/// <summary>A file's own status, with its result or its problem.</summary>
public sealed record BatchItem(string FileName, int Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ClassifyResponse? Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProblemDetails? Problem);
