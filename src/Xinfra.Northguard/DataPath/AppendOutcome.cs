namespace Xinfra.Northguard.DataPath;

/// <summary>What happened to one append at the leader.</summary>
/// <param name="Kind">Appended, duplicate (not written again), sealed (resend on the next segment) or a gap.</param>
/// <param name="ExpectedSequence">For a gap, the sequence the leader expected.</param>
internal readonly record struct AppendOutcome(AppendOutcomeKind Kind, long ExpectedSequence)
{
    public static AppendOutcome Appended => new(AppendOutcomeKind.Appended, 0);

    public static AppendOutcome Duplicate => new(AppendOutcomeKind.Duplicate, 0);

    public static AppendOutcome Sealed => new(AppendOutcomeKind.Sealed, 0);

    public static AppendOutcome Gap(long expected) => new(AppendOutcomeKind.Gap, expected);
}

/// <summary>The kinds of <see cref="AppendOutcome"/>.</summary>
internal enum AppendOutcomeKind
{
    Appended,
    Duplicate,
    Sealed,
    Gap,
}

/// <summary>An acknowledged append: its sequence and the offset of its first record.</summary>
internal readonly record struct AckedAppend(long Sequence, long BaseOffset);
