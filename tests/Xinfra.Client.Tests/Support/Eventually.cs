namespace Xinfra.Client.Tests.Support;

/// <summary>Waits for a condition that another thread makes true, failing with a message after a generous bound.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, int seconds = 20)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {seconds}s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
