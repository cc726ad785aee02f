using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Ser.Api.Classification;

/// <summary>Describes the upload bodies the classification endpoints read by hand, so Swagger UI offers a file picker
/// (multipart) and shows a response example.</summary>
public sealed class UploadOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var name = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Routing.IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (name is not ("Classify" or "ClassifyBatch")) return;
        var part = name == "Classify" ? "file" : "files";
        IOpenApiSchema binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        var form = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { part },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                [part] = name == "Classify" ? binary : new OpenApiSchema { Type = JsonSchemaType.Array, Items = binary },
            },
        };
        var content = new Dictionary<string, IOpenApiMediaType> { ["multipart/form-data"] = new OpenApiMediaType { Schema = form } };
        if (name == "Classify")
            foreach (var type in Classification.UploadReader.RawTypes) content[type] = new OpenApiMediaType { Schema = binary };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = name == "Classify"
                ? "A WAV file (PCM 8–32-bit, float, µ-law, A-law; 1–8 channels; 8–192 kHz). Example: download /examples/tone.wav and pick it here, "
                    + "or: curl -F file=@clip.wav http://localhost:5080/classify"
                : "Up to Ser:Inference:MaxBatchFiles WAV files, each a part named 'files'.",
            Content = content,
        };
        if (name == "Classify" && operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var json) == true
            && json is OpenApiMediaType media)
            media.Example = JsonNode.Parse("""
                {"labels":["neutral","happy","angry","sad","fear","disgust"],
                 "audio":{"durationSeconds":2.1,"sourceSampleRate":16000,"sourceChannels":1,"sourceEncoding":"pcm16",
                          "quality":{"peakDbfs":-6.2,"rmsDbfs":-24.9,"clippedFraction":0,"silentFraction":0.18,"snrDb":38.5,"warnings":[]}},
                 "predictions":{"wav2vec2":{"label":"angry","confidence":0.71,"uncertain":false,
                   "probabilities":{"neutral":0.02,"happy":0.05,"angry":0.71,"sad":0.07,"fear":0.1,"disgust":0.05},
                   "runId":"r-20261125-101500-1a2b","preset":"wav2vec2-base","latencyMs":145.2,"labelsSupported":["neutral","happy","angry","sad","fear","disgust"]}},
                 "agreement":{"agree":true,"jensenShannon":0.03}}
                """);
    }
}
