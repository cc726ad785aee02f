using Ser.Core.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ser.Core.Models;

namespace Ser.Training.BaseCheckpoints;

/// <summary>Resolves base checkpoint names to <c>{modelsFolder}/{name}</c>: what is there is used as it is; a known name
/// that is absent is downloaded from the Hugging Face hub first (unless offline).</summary>
public sealed class BaseCheckpointCatalog(HuggingFaceHub hub, ILogger? logger = null)
{
    private static readonly HubFile Weights = new(["model.safetensors", "pytorch_model.bin"]);

    // Downloads run one at a time per process: two jobs naming the same checkpoint fetch it once.
    private static readonly SemaphoreSlim DownloadGate = new(1, 1);

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>The names that can be downloaded.</summary>
    public static IReadOnlyList<BaseCheckpointSource> Known { get; } =
    [
        new("wav2vec2-base", ModelArchitectures.Wav2Vec2, "facebook/wav2vec2-base",
            [new(["config.json"]), new(["preprocessor_config.json"], Required: false), Weights]),
        // timm's copy of torchvision's ImageNet weights, with torchvision's key names (conv1, bn1, layer1.0…, fc).
        new("resnet18", ModelArchitectures.ResNet18, "timm/resnet18.tv_in1k", [Weights, new(["config.json"], Required: false)]),
    ];

    public HuggingFaceHub Hub => hub;

    public static BaseCheckpointSource? Find(string name) => Known.FirstOrDefault(s => s.Name == name);

    public static bool IsKnown(string name) => Find(name) is not null;

    /// <summary>Whether <c>{modelsFolder}/{name}</c> is usable now: a file, or a folder holding weights.</summary>
    public static bool IsAvailable(string name, string modelsFolder) => IsUsable(PathOf(name, modelsFolder));

    /// <summary>The full path <paramref name="name"/> stands for.</summary>
    /// <exception cref="ArgumentException">The name is a path rather than a plain folder name.</exception>
    public static string PathOf(string name, string modelsFolder)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelsFolder);
        if (!PlainName.IsValid(name))
            throw new ArgumentException($"'{name}' is not a base checkpoint name (letters, digits, '.', '_', '-').", nameof(name));
        return Path.Combine(Path.GetFullPath(modelsFolder), name);
    }

    // Longer than any pause of a live download (its stall timeout is a minute).
    private static readonly TimeSpan LeftoverIdle = TimeSpan.FromMinutes(10);

    /// <summary>The path of <paramref name="name"/>, downloaded first when it is a known name that is absent (or an
    /// empty folder) and the hub is not offline.</summary>
    /// <exception cref="BaseCheckpointMissingException">Not there and not downloadable; the message says what to put where.</exception>
    public async Task<string> ResolveAsync(string name, string modelsFolder, CancellationToken cancellationToken,
        IProgress<HubDownloadProgress>? progress = null)
    {
        var path = PathOf(name, modelsFolder);
        if (IsUsable(path)) return path;
        var source = Find(name);
        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            throw Missing(path, $"Base checkpoint '{name}' in {path} holds no weights. {Instructions(source)}");
        if (source is null)
            throw Missing(path, $"Base checkpoint '{name}' is not in {path}. {Instructions(null)} Names Ser can download: {string.Join(", ", Known.Select(k => k.Name))}.");
        if (hub.IsOffline) throw Unreachable(source, path, "offline: HF_HUB_OFFLINE is set", null);

        await DownloadGate.WaitAsync(cancellationToken);
        try
        {
            if (IsUsable(path)) return path;
            if (AtomicDirectory.RemoveLeftovers(path, LeftoverIdle) is > 0 and var leftovers)
                _logger.LogInformation("Removed {Count} unfinished download(s) of {Name} left by a stopped process", leftovers, name);
            _logger.LogInformation("Downloading base checkpoint {Name} from {Url} into {Folder}", name, hub.RepoUrl(source.RepoId), path);
            var started = DateTime.UtcNow;
            var files = await hub.DownloadAsync(source.RepoId, source.Revision, source.Files, path, cancellationToken, progress);
            _logger.LogInformation("Downloaded {Name} ({Files}) in {Seconds:0.0} s", name, string.Join(", ", files), (DateTime.UtcNow - started).TotalSeconds);
            return path;
        }
        catch (HuggingFaceHubException e)
        {
            throw Unreachable(source, path, e.Message, e);
        }
        finally
        {
            DownloadGate.Release();
        }
    }

    private BaseCheckpointMissingException Unreachable(BaseCheckpointSource source, string path, string reason, Exception? inner)
    {
        var message = $"Base checkpoint '{source.Name}' is not in {path} and could not be downloaded from {hub.RepoUrl(source.RepoId)} ({reason}). {Instructions(source)}";
        return inner is null ? Missing(path, message) : new BaseCheckpointMissingException(message, inner) { Folder = path };
    }

    private static BaseCheckpointMissingException Missing(string path, string message) => new(message) { Folder = path };

    private static string Instructions(BaseCheckpointSource? source) => source is not null
        ? $"Put the Hugging Face folder of {source.RepoId} there ({source.Contents})."
        : "Put a Hugging Face Wav2Vec2 folder (config.json and model.safetensors or pytorch_model.bin) or a torchvision resnet18 state dict "
          + "(a .pth/.safetensors file, or a folder with model.safetensors or pytorch_model.bin) there.";

    // A file, or a folder with a weights file at its top level; an empty or half-filled folder is not usable.
    private static bool IsUsable(string path) =>
        File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFiles(path).Any(f =>
            Path.GetExtension(f) is ".safetensors" or ".bin" or ".pth" or ".pt" || f.EndsWith(".safetensors.index.json", StringComparison.Ordinal)));
}
