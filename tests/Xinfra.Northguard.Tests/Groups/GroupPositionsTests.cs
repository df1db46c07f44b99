using System.Buffers.Binary;
using System.Reflection;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Tests.Groups;

/// <summary>
/// The conditional writes of committed positions: a claim raises the range's lease epoch, a commit carrying an older
/// epoch is refused and leaves the newer holder's position, and a claim that lands between a commit's read and its
/// write makes the commit refuse (compare-and-set on the document's version), never overwrite.
/// </summary>
public sealed class GroupPositionsTests
{
    private static readonly string Key = GroupPositions.Key("billing", "invoices", 7);

    [Fact]
    public async Task Claim_OnARangeNeverCommitted_ReturnsEpochOne_AndCommitsNoPosition()
    {
        var positions = new GroupPositions(new LocalMetadataService());

        Assert.Equal(1, await positions.ClaimAsync(Key, "a", default));
        Assert.Equal(2, await positions.ClaimAsync(Key, "b", default));
        Assert.Null(await positions.FetchAsync(Key, default));
    }

    [Fact]
    public async Task Commit_OfAStaleLease_IsFenced_AndTheNewerHoldersPositionStays()
    {
        var positions = new GroupPositions(new LocalMetadataService());
        long a = await positions.ClaimAsync(Key, "a", default);
        Assert.False((await positions.CommitAsync(Key, 10, a, "a", default)).Fenced);
        long b = await positions.ClaimAsync(Key, "b", default);
        Assert.Equal(10, await positions.FetchAsync(Key, default)); // A claim keeps the committed offset.
        Assert.False((await positions.CommitAsync(Key, 20, b, "b", default)).Fenced);

        var late = await positions.CommitAsync(Key, 15, a, "a", default);

        Assert.Equal(new CommitOutcome(true, b, "b"), late);
        Assert.Equal(20, await positions.FetchAsync(Key, default));
    }

    [Fact]
    public async Task Commit_SameEpochOfAnotherMember_IsFenced()
    {
        var positions = new GroupPositions(new LocalMetadataService());
        long epoch = await positions.ClaimAsync(Key, "a", default);

        Assert.True((await positions.CommitAsync(Key, 5, epoch, "intruder", default)).Fenced);
        Assert.Null(await positions.FetchAsync(Key, default));
    }

    [Fact]
    public async Task UnfencedCommit_KeepsTheLease_SoALaterStaleCommitIsStillFenced()
    {
        var positions = new GroupPositions(new LocalMetadataService());
        long a = await positions.ClaimAsync(Key, "a", default);
        long b = await positions.ClaimAsync(Key, "b", default);

        Assert.False((await positions.CommitAsync(Key, 30, null, "", default)).Fenced); // A client from before fencing.
        Assert.Equal(30, await positions.FetchAsync(Key, default));
        Assert.Equal(new CommitOutcome(true, b, "b"), await positions.CommitAsync(Key, 3, a, "a", default));
        Assert.Equal(30, await positions.FetchAsync(Key, default));
    }

    [Fact]
    public async Task LegacyDocument_EightByteOffset_ReadsAsEpochZero_AndAcceptsAFencedCommit()
    {
        var metadata = new LocalMetadataService();
        var legacy = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(legacy, 42);
        await metadata.PutDocumentAsync(Key, legacy, -1);
        var positions = new GroupPositions(metadata);

        Assert.Equal(42, await positions.FetchAsync(Key, default));
        long epoch = await positions.ClaimAsync(Key, "a", default);
        Assert.Equal(1, epoch);
        Assert.Equal(42, await positions.FetchAsync(Key, default));
        Assert.False((await positions.CommitAsync(Key, 50, epoch, "a", default)).Fenced);

        // The offset stays in the first 8 bytes: a broker from before fencing still reads it.
        var stored = (await metadata.GetDocumentAsync(Key))!;
        Assert.Equal(50, BinaryPrimitives.ReadInt64LittleEndian(stored.Content.Span));
    }

    [Fact]
    public void Decode_TooShortContent_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => PositionDocument.Decode(new byte[12]));
        var document = new PositionDocument(9, 4, "member-ü");
        Assert.Equal(document, PositionDocument.Decode(document.Encode()));
    }

    [Fact]
    public async Task Commit_WhenAClaimLandsBetweenItsReadAndItsWrite_IsFenced_NotWritten()
    {
        var inner = new LocalMetadataService();
        var positions = new GroupPositions(inner);
        long a = await positions.ClaimAsync(Key, "a", default);
        Assert.False((await positions.CommitAsync(Key, 10, a, "a", default)).Fenced);

        // B's grant is claimed right before A's conditional write: the write's expected version is stale.
        long b = 0;
        var racing = MetadataInterceptor.Create(inner, async () => b = await new GroupPositions(inner).ClaimAsync(Key, "b", default));
        var outcome = await new GroupPositions(racing).CommitAsync(Key, 99, a, "a", default);

        Assert.Equal(2, b);
        Assert.Equal(new CommitOutcome(true, b, "b"), outcome);
        Assert.Equal(10, await positions.FetchAsync(Key, default));
    }

    [Fact]
    public async Task Claim_WhenACommitLandsBetweenItsReadAndItsWrite_RetriesAndKeepsThatCommit()
    {
        var inner = new LocalMetadataService();
        var positions = new GroupPositions(inner);
        long a = await positions.ClaimAsync(Key, "a", default);
        var racing = MetadataInterceptor.Create(inner, async () => await new GroupPositions(inner).CommitAsync(Key, 77, a, "a", default));

        long b = await new GroupPositions(racing).ClaimAsync(Key, "b", default);

        Assert.Equal(2, b);
        Assert.Equal(77, await positions.FetchAsync(Key, default));
        Assert.True((await positions.CommitAsync(Key, 80, a, "a", default)).Fenced);
    }

    /// <summary>Forwards to a metadata service, running an action once right before the first document write.</summary>
    public class MetadataInterceptor : DispatchProxy
    {
        private IMetadataService _inner = null!;
        private Func<Task>? _beforeFirstPut;

        public static IMetadataService Create(IMetadataService inner, Func<Task> beforeFirstPut)
        {
            var proxy = Create<IMetadataService, MetadataInterceptor>();
            var interceptor = (MetadataInterceptor)(object)proxy;
            interceptor._inner = inner;
            interceptor._beforeFirstPut = beforeFirstPut;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IMetadataService.PutDocumentAsync) && Interlocked.Exchange(ref _beforeFirstPut, null) is { } before)
            {
                before().GetAwaiter().GetResult(); // The in-process service completes synchronously.
            }

            return targetMethod.Invoke(_inner, BindingFlags.DoNotWrapExceptions, null, args, null);
        }
    }
}
