using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Simulator.Checks;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Runner;

/// <summary>What every simulated broker and client of one run shares: the loop, network, trace, oracle and options.</summary>
internal sealed class SimWorld
{
    public SimWorld(SimOptions options)
    {
        Options = options;
        Loop = new SimLoop();
        Trace = new TraceLog(Loop) { Echo = options.Echo };
        Random = new Random(unchecked((int)options.Seed));
        Network = new SimNetwork(Loop, Trace, Derive(0x4e7));
        Checker = new InvariantChecker(Loop, Trace);
        Ring = new VnodeRing(options.Vnodes);
    }

    public SimOptions Options { get; }

    public SimLoop Loop { get; }

    public TraceLog Trace { get; }

    /// <summary>The run's own random choices (faults applied, crash tearing).</summary>
    public Random Random { get; }

    public SimNetwork Network { get; }

    public InvariantChecker Checker { get; }

    public VnodeRing Ring { get; }

    /// <summary>An independent random stream for one actor, from the seed and a salt.</summary>
    public Random Derive(long salt) => new(unchecked((int)(Options.Seed * 1_000_003L + salt * 7_919L) ^ (int)(salt >> 32)));
}
