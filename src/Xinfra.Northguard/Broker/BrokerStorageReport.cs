using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Broker;

/// <summary>Measures the disk of a broker's data folder for <c>BrokerInfo.DescribeStorage</c>.</summary>
internal static class BrokerStorageReport
{
    public static DescribeStorageResponse Measure(NorthguardBrokerOptions options)
    {
        var folder = Path.GetFullPath(options.DataDirectory);
        var response = new DescribeStorageResponse
        {
            BrokerId = options.BrokerId,
            DataDirectory = folder,
            ThroughputBudgetBytesPerSecond = options.ThroughputBudgetBytesPerSecond,
            StoredBytes = StoredBytes(folder),
        };
        try
        {
            var drive = new DriveInfo(Directory.Exists(folder) ? folder : Path.GetPathRoot(folder)!);
            response.DiskTotalBytes = drive.TotalSize;
            response.DiskFreeBytes = drive.AvailableFreeSpace;
            response.Volume = MountPointOf(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unknown: reported as zero, which a capacity check treats as no space.
        }

        return response;
    }

    private static long StoredBytes(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", options))
        {
            try
            {
                total += file.Length;
            }
            catch (IOException)
            {
                // Deleted meanwhile (a retired segment).
            }
        }

        return total;
    }

    private static string MountPointOf(string folder)
    {
        string best = Path.GetPathRoot(folder) ?? "/";
        foreach (var drive in DriveInfo.GetDrives())
        {
            var root = drive.RootDirectory.FullName;
            if (folder.StartsWith(root, StringComparison.Ordinal) && root.Length > best.Length
                && (root.EndsWith('/') || folder.Length == root.Length || folder[root.Length] == Path.DirectorySeparatorChar))
            {
                best = root;
            }
        }

        return best;
    }
}
