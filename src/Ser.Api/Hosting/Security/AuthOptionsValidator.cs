using Microsoft.Extensions.Options;

namespace Ser.Api.Hosting.Security;

/// <summary>Refuses blank, short and placeholder keys at start-up, and a serving process without a key outside Development
/// (unless <c>Ser:Auth:AllowNoKey</c>). Messages name the setting, never the key.</summary>
internal sealed class AuthOptionsValidator(IHostEnvironment environment, ServiceRole role) : IValidateOptions<AuthOptions>
{
    // Placeholders from samples and compose files, compared without case and punctuation ("Change_Me" is "changeme").
    private static readonly string[] Placeholders = ["changeme", "changeit", "replaceme", "yourapikey", "apikeyhere", "yoursecret", "secretkey"];

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.ApiKeys.Length; i++)
        {
            if (Weakness(options.ApiKeys[i]) is { } weakness)
                failures.Add($"{AuthOptions.Section}:ApiKeys:{i} (Ser__Auth__ApiKeys__{i}) {weakness}: use at least {AuthOptions.MinKeyLength} "
                    + "random characters, e.g. `openssl rand -hex 16`.");
        }
        if (options.ApiKeys.Length == 0 && role.Serves() && !options.AllowNoKey && !environment.IsDevelopment())
            failures.Add($"No API key is configured in the {environment.EnvironmentName} environment: set {AuthOptions.Section}:ApiKeys:0 "
                + "(Ser__Auth__ApiKeys__0, e.g. `openssl rand -hex 16`), or Ser__Auth__AllowNoKey=true to serve state-changing endpoints, "
                + "/hangfire and /dashboard to loopback callers only.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? Weakness(string? key)
    {
        if (string.IsNullOrWhiteSpace(key)) return "is blank";
        // HTTP trims header values, so such a key could never be sent.
        if (key.Trim().Length != key.Length) return "starts or ends with white space";
        if (key.Length < AuthOptions.MinKeyLength) return $"is shorter than {AuthOptions.MinKeyLength} characters";
        var letters = new string(key.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        if (Placeholders.Any(p => letters.Contains(p, StringComparison.Ordinal)) || key.Distinct().Count() < 4)
            return "is a placeholder, not a secret";
        return null;
    }
}
