namespace Xinfra.Northguard.Tests.Raft.Linearizability;

/// <summary>
/// Decides whether a history of register operations is linearizable: the Wing–Gong search with Lowe's memoisation
/// (as in Porcupine), run separately per key (a map of registers is linearizable iff each register is).
/// Gets whose outcome is unknown constrain nothing and are dropped; puts whose outcome is unknown never return, so
/// they may be linearized at any point after their call, or never (and are dropped when no read saw their value).
/// Values written must be unique per key.
/// </summary>
internal static class LinearizabilityChecker
{
    public static bool IsLinearizable(IEnumerable<KvOperation> history, out string? failedKey)
    {
        var all = history.ToList();
        var observed = new HashSet<(string, string)>();
        foreach (var op in all)
        {
            if (op.Kind == KvOpKind.Get && op.Return != KvOperation.Unknown && op.Value is not null)
            {
                observed.Add((op.Key, op.Value));
            }
        }

        var byKey = new Dictionary<string, List<KvOperation>>();
        foreach (var op in all)
        {
            if (op.Kind == KvOpKind.Get && op.Return == KvOperation.Unknown)
            {
                continue;
            }

            // An unknown-outcome put whose value no read returned can always be taken as never applied (if it did
            // apply, no read happened before the next write), so dropping it changes nothing but the search size,
            // which would otherwise grow as 2^(unknown puts).
            if (op.Kind == KvOpKind.Put && op.Return == KvOperation.Unknown && !observed.Contains((op.Key, op.Value!)))
            {
                continue;
            }

            if (!byKey.TryGetValue(op.Key, out var list))
            {
                byKey[op.Key] = list = [];
            }

            list.Add(op);
        }

        foreach (var (key, ops) in byKey)
        {
            if (!CheckRegister(ops))
            {
                failedKey = key;
                return false;
            }
        }

        failedKey = null;
        return true;
    }

    private sealed class Event(int op, bool isReturn, long time)
    {
        public int Op { get; } = op;

        public bool IsReturn { get; } = isReturn;

        public long Time { get; } = time;

        public Event? Prev { get; set; }

        public Event? Next { get; set; }

        public Event? Match { get; set; }
    }

    private static bool CheckRegister(List<KvOperation> ops)
    {
        var head = BuildEventList(ops);
        var linearized = new Bitset(ops.Count);
        var cache = new HashSet<(Bitset, string?)>();
        var stack = new Stack<(Event Call, string? StateBefore)>();
        string? state = null;
        var entry = head.Next;
        while (head.Next is not null)
        {
            if (entry is null)
            {
                throw new InvalidOperationException("The event list cannot end with a call.");
            }

            if (!entry.IsReturn)
            {
                var op = ops[entry.Op];
                bool ok = op.Kind == KvOpKind.Put || op.Value == state;
                string? next = op.Kind == KvOpKind.Put ? op.Value : state;
                if (ok)
                {
                    var candidate = linearized.With(entry.Op);
                    if (cache.Add((candidate, next)))
                    {
                        stack.Push((entry, state));
                        state = next;
                        linearized = candidate;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }
                }

                entry = entry.Next;
            }
            else
            {
                // A return we cannot get past: undo the last choice.
                if (stack.Count == 0)
                {
                    return false;
                }

                var (call, before) = stack.Pop();
                state = before;
                linearized = linearized.Without(call.Op);
                Unlift(call);
                entry = call.Next;
            }
        }

        return true;
    }

    private static Event BuildEventList(List<KvOperation> ops)
    {
        var events = new List<Event>(ops.Count * 2);
        for (int i = 0; i < ops.Count; i++)
        {
            var call = new Event(i, false, ops[i].Call);
            var ret = new Event(i, true, ops[i].Return);
            call.Match = ret;
            events.Add(call);
            events.Add(ret);
        }

        // Calls sort before returns at the same tick: such operations count as concurrent.
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.IsReturn.CompareTo(b.IsReturn));
        var head = new Event(-1, false, long.MinValue);
        var prev = head;
        foreach (var e in events)
        {
            prev.Next = e;
            e.Prev = prev;
            prev = e;
        }

        return head;
    }

    private static void Lift(Event call)
    {
        call.Prev!.Next = call.Next;
        call.Next!.Prev = call.Prev;
        var ret = call.Match!;
        ret.Prev!.Next = ret.Next;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret.Prev;
        }
    }

    private static void Unlift(Event call)
    {
        var ret = call.Match!;
        ret.Prev!.Next = ret;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret;
        }

        call.Prev!.Next = call;
        call.Next!.Prev = call;
    }
}
