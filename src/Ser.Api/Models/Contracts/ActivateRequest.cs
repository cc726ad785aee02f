namespace Ser.Api.Models.Contracts;

/// <summary>Body of <c>POST /models/{architecture}/activate</c>.</summary>
public sealed record ActivateRequest(string? RunId);
