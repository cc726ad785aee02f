using System.Collections.Concurrent;
using Ser.Core.Models;

namespace Ser.Api.Hosting.Health;

/// <summary>What the service can answer right now: which architectures have a model loaded, and how far
/// the start-up bootstrap has come. Model loaders write it; <c>/health/ready</c> reads it.</summary>
/// <param name="servesModels">False on a worker: it serves no model, so it is ready once started.</param>
public sealed class ServiceReadiness(bool servesModels = true)
{
    private readonly ConcurrentDictionary<string, bool> _loaded = new(ModelArchitectures.All.ToDictionary(a => a, _ => false));
    private volatile BootstrapStatus _bootstrap = new("waiting for models", 0);

    public void SetLoaded(string architecture, bool loaded) => _loaded[architecture] = loaded;

    public void SetBootstrap(string stage, double fraction) => _bootstrap = new BootstrapStatus(stage, Math.Clamp(fraction, 0, 1));

    public IReadOnlyDictionary<string, bool> Models => _loaded.ToDictionary(p => p.Key, p => p.Value);

    public BootstrapStatus Bootstrap => _bootstrap;

    public bool ServesModels => servesModels;

    public bool IsReady => !servesModels || ModelArchitectures.All.All(a => _loaded.GetValueOrDefault(a));
}
