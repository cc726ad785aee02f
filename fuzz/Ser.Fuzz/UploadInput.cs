using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ser.Fuzz;

/// <summary>The upload target's input format, shared with the tests that replay its corpus: the Content-Type line (may be
/// empty), '\n', then the body; without a '\n' the whole input is a body without a content type.</summary>
public static class UploadInput
{
    public static (string Type, byte[] Body) Split(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var newline = Array.IndexOf(input, (byte)'\n');
        return newline < 0 ? ("", input) : (Encoding.Latin1.GetString(input, 0, newline).TrimEnd('\r'), input[(newline + 1)..]);
    }

    /// <summary>A POST as Kestrel would hand it to the endpoint.</summary>
    public static HttpRequest Request(string type, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(body);
        var request = new DefaultHttpContext().Request;
        request.Method = HttpMethods.Post;
        if (type.Length > 0) request.ContentType = type;
        request.ContentLength = body.Length;
        request.Body = new MemoryStream(body, writable: false);
        return request;
    }
}
