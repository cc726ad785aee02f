using Microsoft.Extensions.Logging;

namespace Ser.Api.Tests.Jobs;

/// <summary>A logger provider that keeps each message with the scopes open when it was logged.</summary>
internal sealed class ScopeRecorder : ILoggerProvider, ISupportExternalScope
{
    private readonly List<(string Message, IReadOnlyList<object?> Scopes)> _entries = [];
    private IExternalScopeProvider? _scopes;

    public IReadOnlyList<(string Message, IReadOnlyList<object?> Scopes)> Entries
    {
        get { lock (_entries) return _entries.ToArray(); }
    }

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private sealed class Logger(ScopeRecorder owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<object?>();
            owner._scopes?.ForEachScope((scope, list) => list.Add(scope), scopes);
            lock (owner._entries) owner._entries.Add((formatter(state, exception), scopes));
        }
    }
}
