using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ser.Api.Hosting.Security;

/// <summary>API.md's rule: with keys configured an <c>X-Api-Key</c> from <c>Ser:Auth:ApiKeys</c> (compared in fixed time);
/// without, loopback callers only. Pages (/hangfire, /dashboard) also take a session cookie that a key sent to them or to
/// <c>POST /auth/session</c> sets: an HMAC under a per-process secret, never the key, so browsers never put a key in a URL.</summary>
public sealed class ApiKeyGate
{
    public const string HeaderName = "X-Api-Key";
    public const string CookieName = "ser-session";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    private readonly IOptionsMonitor<AuthOptions> _options;
    private readonly ILogger<ApiKeyGate> _logger;
    private readonly byte[] _sessionSecret = RandomNumberGenerator.GetBytes(32);
    private volatile Keys _keys;

    // Keys follow Ser:Auth:ApiKeys as the configuration reloads (rotation without a restart).
    public ApiKeyGate(IOptionsMonitor<AuthOptions> options, ILogger<ApiKeyGate> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        _keys = new Keys(options.CurrentValue);
    }

    private sealed record Keys(AuthOptions Source)
    {
        public byte[][] Hashes { get; } = Source.ApiKeys.Select(Hash).ToArray();
    }

    private byte[][] KeyHashes
    {
        get
        {
            AuthOptions current;
            try { current = _options.CurrentValue; }
            catch (OptionsValidationException e)
            {
                // A reloaded file with an invalid key keeps the keys in force; the start-up check names the setting.
                _logger.LogError("Ser:Auth reloaded with an invalid setting; the previous keys stay in force: {Message}", e.Message);
                return _keys.Hashes;
            }
            var keys = _keys;
            if (!ReferenceEquals(keys.Source, current)) _keys = keys = new Keys(current);
            return keys.Hashes;
        }
    }

    public bool HasKeys => KeyHashes.Length > 0;

    /// <summary>Whether <paramref name="key"/> is a configured key; every key is compared, each in fixed time (equal-length hashes).</summary>
    public bool Matches(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = Hash(key);
        var match = false;
        foreach (var known in KeyHashes) match |= CryptographicOperations.FixedTimeEquals(known, hash);
        return match;
    }

    public Access Check(HttpContext context, bool acceptSession)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!HasKeys) return LocalCaller.Is(context) ? Access.Allowed : Access.NotLocal;
        if (context.Request.Headers.TryGetValue(HeaderName, out var key)) return Matches(key.ToString()) ? Access.Allowed : Access.KeyWrong;
        return acceptSession && HasSession(context) ? Access.Allowed : Access.KeyMissing;
    }

    /// <summary>A page's check: like <see cref="Check"/> with the session cookie, and a key sent in the header starts a
    /// session so the browser's later calls (Hangfire's own polling) pass.</summary>
    public Access CheckPage(HttpContext context)
    {
        var access = Check(context, acceptSession: true);
        if (access == Access.Allowed && HasKeys && context.Request.Headers.ContainsKey(HeaderName) && !HasSession(context)) StartSession(context);
        return access;
    }

    public void StartSession(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var expires = DateTimeOffset.UtcNow.Add(SessionLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Cookies.Append(CookieName, $"{expires}.{Sign(expires)}", new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            MaxAge = SessionLifetime,
            IsEssential = true,
        });
    }

    /// <summary>The problem for a refused request; null when allowed.</summary>
    public static ProblemHttpResult? Refusal(Access access) => access switch
    {
        Access.KeyMissing => Problems.Create(StatusCodes.Status401Unauthorized, "API key required",
            $"Send an {HeaderName} header (a browser: sign in at /auth/session)."),
        Access.KeyWrong => Problems.Create(StatusCodes.Status403Forbidden, "API key refused", $"The {HeaderName} is not one of Ser:Auth:ApiKeys."),
        Access.NotLocal => Problems.Create(StatusCodes.Status403Forbidden, "Local callers only",
            "No API key is configured, so this endpoint answers loopback callers only (not through a proxy); set Ser:Auth:ApiKeys to allow others."),
        _ => null,
    };

    private bool HasSession(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is not { } cookie || cookie.Split('.') is not [var expires, var mac]) return false;
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds < DateTimeOffset.UtcNow.ToUnixTimeSeconds()) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(expires)), Encoding.ASCII.GetBytes(mac));
    }

    private string Sign(string expires) => Base64Url.EncodeToString(HMACSHA256.HashData(_sessionSecret, Encoding.UTF8.GetBytes(expires)));

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
