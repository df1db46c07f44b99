using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Xinfra.IntegrationTests.Migration;

/// <summary>Keeps the warnings and errors the clients log, so a failed wait can say what the clients were doing.</summary>
internal sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public string Last(int count) => string.Join(Environment.NewLine, _lines.TakeLast(count));

    public void Note(string line) => _lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} TEST {line}");

    public void Dispose()
    {
    }

    private sealed class Logger(LogLines owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning || category.StartsWith("Xinfra", StringComparison.Ordinal))
            {
                owner._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
                while (owner._lines.Count > 2000)
                {
                    owner._lines.TryDequeue(out _);
                }
            }
        }
    }
}
