using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Ser.Api.Hosting.Health;
using Ser.Core.Models;
using Ser.Training.Runs;
using Ser.Training.Storage;

namespace Ser.Api.Models;

/// <summary>The models the service answers with, one per architecture: loaded at start-up from a configured folder
/// or the registry's active run, swapped atomically on activation (in-flight requests finish on the old one).</summary>
public sealed class ModelHost(IOptions<ServingOptions> serving, IModelLoader loader, RunRegistry registry, ServiceReadiness readiness,
    ILogger<ModelHost> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, ServedModel> _active = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _swap = new(1, 1);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> _unloadable = new(StringComparer.Ordinal);
    private CancellationTokenSource _changes = new();

    /// <summary>Completes once the start-up load has been tried (whatever its outcome).</summary>
    public Task Started => _started.Task;

    /// <summary>Whether <c>Ser:Models:{architecture}:Path</c> pins the architecture to a folder.</summary>
    public bool ServesFolder(string architecture) => serving.Value.Models.GetValueOrDefault(architecture)?.Path is { Length: > 0 };

    public IReadOnlyDictionary<string, ServedModel> Active => _active;

    /// <summary>Fires once a model is installed (at start-up, on activation or a swap): what was derived from
    /// <see cref="Active"/>, such as which model loops may help each other, is read again. Take the token before reading
    /// <see cref="Active"/>, so no change falls between the two.</summary>
    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changes).Token);

    /// <summary>A lease on the current model of <paramref name="architecture"/>, or null when none is loaded.</summary>
    public ServedModel? Acquire(string architecture)
    {
        while (_active.TryGetValue(architecture, out var model))
            if (model.TryAcquire()) return model;
        return null;
    }

    /// <summary>Start-up: each architecture's configured folder, else the registry's active run. Failures are logged,
    /// and the service keeps answering (503 for that model) instead of refusing to start.</summary>
    public void LoadAtStartup()
    {
        try
        {
            LoadEach();
        }
        finally
        {
            _started.TrySetResult();
        }
    }

    private void LoadEach()
    {
        foreach (var architecture in ModelArchitectures.All)
        {
            try
            {
                if (serving.Value.Models.GetValueOrDefault(architecture)?.Path is { Length: > 0 } path)
                    Install(architecture, LoadFolder(architecture, path));
                else if (registry.GetActive(architecture) is { } runId)
                    Install(architecture, LoadRun(runId));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogError(e, "Could not load the {Architecture} model at start-up: {Message}", architecture, e.Message);
            }
        }
    }

    /// <summary>Loads a succeeded run's model and makes it the active one of its architecture.</summary>
    public async Task<ServedModel> ActivateAsync(string runId, CancellationToken cancellationToken)
    {
        await _swap.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var model = LoadRun(runId);
            try
            {
                registry.SetActive(model.Architecture, runId);
            }
            catch
            {
                model.Retire(); // not served: its native memory goes now, not at the next GC
                throw;
            }
            _unloadable.Remove(runId);
            Install(model.Architecture, model);
            return model;
        }
        finally
        {
            _swap.Release();
        }
    }

    /// <summary>Loads runs activated by another process (another API node, or a worker's bootstrap) since the last pass.
    /// A run that fails to load is logged once and not retried until it is activated again.</summary>
    public async Task SyncActiveAsync(CancellationToken cancellationToken)
    {
        foreach (var architecture in ModelArchitectures.All.Where(a => !ServesFolder(a)))
        {
            if (registry.GetActive(architecture) is not { } runId || Current(architecture) == runId || _unloadable.Contains(runId)) continue;
            await _swap.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (registry.GetActive(architecture) == runId && Current(architecture) != runId) Install(architecture, LoadRun(runId));
            }
            catch (Exception e) when (StorageFaults.IsUnavailable(e))
            {
                // Not the run's fault: the next pass tries again.
                logger.LogWarning("Could not load {RunId}, activated for {Architecture}, for now: {Message}", runId, architecture, e.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _unloadable.Add(runId);
                logger.LogError(e, "Could not load {RunId}, activated for {Architecture}: {Message}", runId, architecture, e.Message);
            }
            finally
            {
                _swap.Release();
            }
        }
    }

    private string? Current(string architecture) => _active.TryGetValue(architecture, out var model) ? model.RunId : null;

    private ServedModel LoadRun(string runId) => loader.LoadRun(runId);

    private ServedModel LoadFolder(string architecture, string path) => loader.LoadFolder(architecture, path);

    private void Install(string architecture, ServedModel model)
    {
        ServedModel? previous = null;
        _active.AddOrUpdate(architecture, model, (_, old) => { previous = old; return model; });
        previous?.Retire();
        Interlocked.Exchange(ref _changes, new CancellationTokenSource()).Cancel();
        readiness.SetLoaded(architecture, true);
        logger.LogInformation("Serving {Architecture} {Preset} from {Source} {RunId} on {Device}", architecture, model.Classifier.Preset,
            model.Source, model.RunId ?? "(folder)", model.Classifier.DeviceName);
    }

    public void Dispose()
    {
        foreach (var model in _active.Values) model.Retire();
        _active.Clear();
        _swap.Dispose();
    }
}
