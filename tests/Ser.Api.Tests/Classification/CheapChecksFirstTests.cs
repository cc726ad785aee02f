using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Ser.Api.Tests.Classification;

/// <summary>Issue 12, item 6: with no model to answer, nothing is read or decoded.</summary>
public sealed class CheapChecksFirstTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/classify")]
    [InlineData("/classify/batch")]
    public async Task Without_a_loaded_model_even_an_undecodable_upload_gets_503_before_it_is_parsed(string path)
    {
        using var factory = new SerApiFactory();
        using var client = factory.CreateClient();
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes("--b\r\nnot a wav, not even multipart"));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("No model is loaded", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
