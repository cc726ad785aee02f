namespace Ser.Api.Tests;

/// <summary>A test class with its own in-process service on default test settings and a client to it, disposed with
/// the class. Classes that change settings before the first request build their own <see cref="SerApiFactory"/>.</summary>
public abstract class SerApiTest : IDisposable
{
    protected SerApiTest() => Client = Factory.CreateClient();

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
