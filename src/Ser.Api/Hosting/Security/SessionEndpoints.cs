using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ser.Api.Hosting.Security;

/// <summary>Browser sign-in for /hangfire and /dashboard when keys are configured: a browser cannot send X-Api-Key on a
/// navigation, so a key posted here (header or form field <c>apiKey</c>) sets the session cookie instead.</summary>
public static class SessionEndpoints
{
    private const string DefaultReturn = "/hangfire";

    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth").WithTags("Auth");
        group.MapGet("/session", SignInPage).WithName("SignInPage").WithSummary("A form to sign a browser in with an API key.")
            .ExcludeFromDescription();
        group.MapPost("/session", SignInAsync).WithName("SignIn")
            .WithSummary("Checks an API key (X-Api-Key, or form field apiKey) and sets the session cookie /hangfire and /dashboard accept.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).DisableAntiforgery();
        return app;
    }

    private static ContentHttpResult SignInPage(string? returnUrl) => TypedResults.Content($"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ser: sign in</title></head>
        <body><form method="post" action="/auth/session">
        <label>API key <input type="password" name="apiKey" autocomplete="current-password" autofocus></label>
        <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(LocalPath(returnUrl))}">
        <button type="submit">Sign in</button></form></body></html>
        """, "text/html; charset=utf-8");

    private static async Task<Results<NoContent, RedirectHttpResult, ProblemHttpResult>> SignInAsync(HttpContext context, ApiKeyGate gate,
        CancellationToken cancellationToken)
    {
        if (!gate.HasKeys)
            return Problems.Create(StatusCodes.Status404NotFound, "No keys configured",
                "No API key is configured: /hangfire and /dashboard answer loopback callers without signing in.");
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false) : null;
        var key = context.Request.Headers.TryGetValue(ApiKeyGate.HeaderName, out var header) ? header.ToString() : form?["apiKey"].ToString();
        if (string.IsNullOrEmpty(key)) return ApiKeyGate.Refusal(Access.KeyMissing)!;
        if (!gate.Matches(key)) return ApiKeyGate.Refusal(Access.KeyWrong)!;
        gate.StartSession(context);
        // A form post navigates: send the browser on to the page it came for (a local path only: no open redirect).
        return form is null ? TypedResults.NoContent() : TypedResults.Redirect(LocalPath(form["returnUrl"]), permanent: false, preserveMethod: false);
    }

    private static string LocalPath(string? url) =>
        url is { Length: > 1 } && url[0] == '/' && url[1] is not ('/' or '\\') && Uri.IsWellFormedUriString(url, UriKind.Relative) ? url : DefaultReturn;
}
