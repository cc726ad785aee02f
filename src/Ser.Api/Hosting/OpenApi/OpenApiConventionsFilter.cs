using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Ser.Api.Hosting.OpenApi;

/// <summary>What Spectral's <c>spectral:oas</c> rules and Swagger UI users expect of the document: a contact, described
/// tags, a description on every operation and a worked example of every JSON request body.</summary>
public sealed class OpenApiConventionsFilter : IDocumentFilter
{
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Auth"] = "Browser sessions for the dashboard and Hangfire pages.",
        ["Classification"] = "Emotion of uploaded speech from every active model.",
        ["Health"] = "Liveness and readiness probes.",
        ["Jobs"] = "Training and evaluation as background jobs.",
        ["Metrics"] = "Test-set figures of runs and their side-by-side comparison.",
        ["Models"] = "The loaded models and the active run of each architecture.",
    };

    // Bodies as API.md gives them; the values are ones a fresh service accepts.
    private static readonly Dictionary<string, string> BodyExamples = new(StringComparer.Ordinal)
    {
        ["TrainJob"] = """
            {"architecture":"resnet18","preset":"resnet18-tiny","dataset":"synthetic",
             "split":{"strategy":"actor","seed":42,"validation":0.15,"test":0.15},
             "hyperParameters":{"epochs":3,"batchSize":8,"learningRate":0.0001},"name":"first try"}
            """,
        ["EvaluateJob"] = """{"runs":["r-20261125-101500-1a2b3c4d5e6f7a8b"],"split":"same"}""",
        ["ActivateModel"] = """{"runId":"r-20261125-101500-1a2b3c4d5e6f7a8b"}""",
    };

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(swaggerDoc);
        swaggerDoc.Info.Contact ??= new OpenApiContact { Name = "Ser maintainers" };
        swaggerDoc.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
        foreach (var operation in (swaggerDoc.Paths ?? []).Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            // The summary is the description where an endpoint gives no longer one; errors are the same everywhere.
            if (string.IsNullOrEmpty(operation.Description))
                operation.Description = $"{operation.Summary} Errors are application/problem+json (RFC 9457).";
            if (operation.OperationId is { } id && BodyExamples.TryGetValue(id, out var example)
                && operation.RequestBody?.Content?.TryGetValue("application/json", out var json) == true && json is OpenApiMediaType media)
                media.Example = JsonNode.Parse(example);
        }
    }
}
