using Microsoft.Extensions.Logging;

namespace Xinfra.Kafka.Tests.Infrastructure;

/// <summary>Writes every log line to a file; enabled by <c>XINFRA_KAFKA_TEST_LOG=/path</c> when debugging tests.</summary>
internal sealed class FileLoggerFactory(string path) : ILoggerFactory, ILogger
{
    private static readonly Lock Gate = new();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Gate)
        {
            File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)} {exception}\n");
        }
    }

    public void Dispose()
    {
    }
}
