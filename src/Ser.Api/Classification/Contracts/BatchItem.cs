using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Ser.Api.Classification.Contracts;

/// <summary>A file's own status, with its result or its problem.</summary>
public sealed record BatchItem(string FileName, int Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ClassifyResponse? Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProblemDetails? Problem);
