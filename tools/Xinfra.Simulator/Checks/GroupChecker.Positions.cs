namespace Xinfra.Simulator.Checks;

/// <summary>
/// The write fence of committed positions, checked on the position documents themselves (every version anyone read or
/// wrote), independently of the member lease and the coordinator's grace: a document's lease epoch and committed
/// offset never go backwards from one version to a later one (a claim is a compare-and-set, so each raises the epoch);
/// a commit refused as fenced is never applied (no later version carries the refused lease), and a refusal is only
/// given by a document holding a newer lease than the commit's.
/// </summary>
internal sealed partial class GroupChecker
{
    /// <summary>A position document's content as the checker sees it (the engine's <c>PositionDocument</c>: offset -1 = none committed).</summary>
    public readonly record struct PositionDocument(long Offset, long Epoch, string Holder)
    {
        public bool HasOffset => Offset >= 0;
    }

    private readonly Dictionary<(string Group, string Topic, ulong Range), SortedList<long, PositionDocument>> _versions = [];
    private readonly Dictionary<(string Group, string Topic, ulong Range), List<(long Version, long Epoch, string Member, long Offset)>> _refused = [];

    /// <summary>Claims written (each a grant's new lease epoch).</summary>
    public long Claims { get; private set; }

    /// <summary>Commits refused by the write fence.</summary>
    public long FencedCommits { get; private set; }

    /// <summary>
    /// A coordinator's claim of <paramref name="epoch"/> for <paramref name="member"/> was written. (Claims of two
    /// coordinators can be acknowledged in another order than they were applied; the epochs are checked in version
    /// order, on the documents.)
    /// </summary>
    public void OnClaimed(string group, string topic, ulong range, string member, long epoch)
    {
        Claims++;
        owner.Trace($"group {group}: {topic} range {range} lease epoch {epoch} claimed for {member}");
    }

    /// <summary>Someone read, or wrote, version <paramref name="version"/> of the range's position document.</summary>
    public void OnPositionDocument(string group, string topic, ulong range, long version, PositionDocument document)
    {
        if (version <= 0)
        {
            return; // Absent: nothing written yet.
        }

        var key = (group, topic, range);
        if (!_versions.TryGetValue(key, out var versions))
        {
            _versions[key] = versions = [];
        }

        if (versions.TryGetValue(version, out var known))
        {
            if (known != document)
            {
                owner.Fail($"group {group}: {topic} range {range} position document version {version} read as {Show(document)} and as {Show(known)}");
            }

            return;
        }

        versions.Add(version, document);
        int at = versions.IndexOfKey(version);
        if (at > 0)
        {
            CheckForward(group, topic, range, versions.Keys[at - 1], versions.Values[at - 1], version, document);
        }

        if (at + 1 < versions.Count)
        {
            CheckForward(group, topic, range, version, document, versions.Keys[at + 1], versions.Values[at + 1]);
        }

        foreach (var refused in _refused.GetValueOrDefault(key) ?? [])
        {
            CheckNotApplied(group, topic, range, refused, version, document);
        }
    }

    /// <summary>
    /// A commit of <paramref name="offset"/> under <paramref name="epoch"/> was refused as fenced by version
    /// <paramref name="version"/> of the document (<paramref name="holder"/>).
    /// </summary>
    public void OnCommitFenced(string group, string topic, ulong range, string member, long epoch, long offset, long version, PositionDocument holder)
    {
        FencedCommits++;
        if (holder.Epoch < epoch || (holder.Epoch == epoch && (holder.Holder.Length == 0 || holder.Holder == member)))
        {
            owner.Fail($"group {group}: {member}'s commit of {offset} on {topic} range {range} (epoch {epoch}) refused by {Show(holder)}, which holds no newer lease");
        }

        var key = (group, topic, range);
        var refusal = (version, epoch, member, offset);
        if (!_refused.TryGetValue(key, out var list))
        {
            _refused[key] = list = [];
        }

        list.Add(refusal);
        if (_versions.TryGetValue(key, out var versions))
        {
            foreach (var (v, document) in versions)
            {
                CheckNotApplied(group, topic, range, refusal, v, document);
            }
        }
    }

    private void CheckForward(string group, string topic, ulong range, long earlierVersion, PositionDocument earlier, long laterVersion, PositionDocument later)
    {
        if (later.Epoch < earlier.Epoch)
        {
            owner.Fail($"group {group}: {topic} range {range} lease epoch went backwards: version {earlierVersion} {Show(earlier)}, version {laterVersion} {Show(later)}");
        }

        if (earlier.HasOffset && later.Offset < earlier.Offset)
        {
            owner.Fail($"group {group}: {topic} range {range} committed position went backwards: version {earlierVersion} {Show(earlier)}, version {laterVersion} {Show(later)}");
        }
    }

    private void CheckNotApplied(string group, string topic, ulong range, (long Version, long Epoch, string Member, long Offset) refused, long version, PositionDocument document)
    {
        if (version > refused.Version && document.Epoch == refused.Epoch && document.Holder == refused.Member)
        {
            owner.Fail($"group {group}: {refused.Member}'s commit of {refused.Offset} on {topic} range {range} (epoch {refused.Epoch}) was refused as fenced at version {refused.Version}, yet version {version} carries its lease: {Show(document)}");
        }
    }

    private static string Show(PositionDocument document) => $"(offset {document.Offset}, epoch {document.Epoch}, holder {document.Holder})";
}
