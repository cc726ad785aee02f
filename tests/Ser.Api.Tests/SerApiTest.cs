namespace Ser.Api.Tests;

/// <summary>A test class with its own in-process service on default test settings (or the class's own, set by
/// <c>configure</c> before the first request) and a client to it, disposed with the class.</summary>
public abstract class SerApiTest : IDisposable
{
    protected SerApiTest() => Client = Factory.CreateClient();

    protected SerApiTest(Action<SerApiFactory> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(Factory);
        Client = Factory.CreateClient();
    }

    protected SerApiFactory Factory { get; } = new();

    protected HttpClient Client { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        Client.Dispose();
        Factory.Dispose();
    }
}
