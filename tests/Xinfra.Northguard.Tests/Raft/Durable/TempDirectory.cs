namespace Xinfra.Northguard.Tests.Raft.Durable;

/// <summary>A fresh temporary folder, deleted with its contents on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "xinfra-raft-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string WalFile => System.IO.Path.Combine(Path, Xinfra.Northguard.Metadata.Raft.Durable.RaftWal.FileName);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
