using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Xinfra.Kafka.Native;

/// <summary>
/// Loads librdkafka once per process. The default <c>librdkafka.so</c> of <c>librdkafka.redist</c> links
/// <c>libsasl2.so.3</c>, which some distributions (Debian 12) lack; when it cannot be loaded, the self-contained
/// <c>centos8-librdkafka.so</c> beside it is used. Xinfra's own P/Invoke (the mock cluster API) resolves to the same
/// file, so the process holds one copy of librdkafka.
/// </summary>
public static class KafkaNative
{
    /// <summary>The name Xinfra's P/Invoke declarations use for librdkafka.</summary>
    internal const string LibraryName = "librdkafka";

    private static readonly Lock Gate = new();
    private static bool _loaded;
    private static string? _path;
    private static IntPtr _handle;

    /// <summary>The full path of the librdkafka file loaded, or null when Confluent.Kafka found it by itself.</summary>
    public static string? LoadedPath
    {
        get
        {
            EnsureLoaded();
            return _path;
        }
    }

    /// <summary>Loads librdkafka if it is not loaded yet; safe to call often and from any thread.</summary>
    public static void EnsureLoaded()
    {
        if (Volatile.Read(ref _loaded))
        {
            return;
        }

        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }

            foreach (var candidate in Candidates())
            {
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
                {
                    _path = candidate;
                    _handle = handle;
                    break;
                }
            }

            if (!Library.IsLoaded)
            {
                TryResolveConfluentImports();
                if (_path is null)
                {
                    Library.Load();
                }
                else
                {
                    Library.Load(_path);
                }
            }

            NativeLibrary.SetDllImportResolver(typeof(KafkaNative).Assembly, Resolve);
            Volatile.Write(ref _loaded, true);
        }
    }

    /// <summary>
    /// Confluent.Kafka's Linux loader imports <c>dlopen</c> from <c>libdl</c>, a name only development packages provide
    /// (glibc ships <c>libdl.so.2</c>); resolve it, and <c>librdkafka</c> to the file chosen above.
    /// </summary>
    private static void TryResolveConfluentImports()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, ResolveConfluent);
        }
        catch (InvalidOperationException)
        {
            // Confluent.Kafka (or the application) installed its own resolver; keep it.
        }
    }

    private static IntPtr ResolveConfluent(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (string.Equals(libraryName, LibraryName, StringComparison.Ordinal))
        {
            return _handle;
        }

        if (OperatingSystem.IsLinux() && string.Equals(libraryName, "libdl", StringComparison.Ordinal)
            && !NativeLibrary.TryLoad("libdl", assembly, searchPath, out _)
            && NativeLibrary.TryLoad("libdl.so.2", out var libdl))
        {
            return libdl;
        }

        return IntPtr.Zero;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        string.Equals(libraryName, LibraryName, StringComparison.Ordinal) ? _handle : IntPtr.Zero;

    private static IEnumerable<string> Candidates()
    {
        string[] names;
        string os;
        if (OperatingSystem.IsWindows())
        {
            (os, names) = ("win", ["librdkafka.dll"]);
        }
        else if (OperatingSystem.IsMacOS())
        {
            (os, names) = ("osx", ["librdkafka.dylib"]);
        }
        else
        {
            (os, names) = ("linux", ["librdkafka.so", "centos8-librdkafka.so"]);
        }

        var rid = $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        var roots = new List<string> { AppContext.BaseDirectory };
        if (Path.GetDirectoryName(typeof(Library).Assembly.Location) is { Length: > 0 } confluentDir)
        {
            roots.Add(confluentDir);
        }

        foreach (var root in roots)
        {
            foreach (var name in names)
            {
                yield return Path.Combine(root, "runtimes", rid, "native", name);
            }
        }

        foreach (var root in roots)
        {
            foreach (var name in names)
            {
                yield return Path.Combine(root, name);
            }
        }
    }
}
