using System.CommandLine;
using Xinfra.Cli.Infrastructure;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Cli.Commands.Acl;

/// <summary><c>xinfra acl grant|revoke|list</c>: per-topic ACLs of a secured Northguard cluster.</summary>
internal sealed class AclCommands : ICommandGroup
{
    private static readonly Argument<string> Topic = new("topic") { Description = "The topic." };
    private static readonly Argument<string> Principal = new("principal") { Description = "The application name (token) or certificate subject (mutual TLS)." };
    private static readonly Argument<string[]> Operations = new("operations")
    {
        Description = "Produce, Consume, Describe and/or Admin (space or comma separated).",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <inheritdoc />
    public Command Create(CliContext context)
    {
        var group = new Command("acl", "Grant, revoke and list what principals may do on a topic (needs Admin on the topic).");
        group.Subcommands.Add(Grant(context));
        group.Subcommands.Add(Revoke(context));
        group.Subcommands.Add(List(context));
        return group;
    }

    /// <summary>Parses operation names (case-insensitive, space or comma separated); an unknown one is a usage error naming it.</summary>
    public static AclOperations ParseOperations(IEnumerable<string> values)
    {
        var result = AclOperations.None;
        foreach (var name in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            result |= name.ToLowerInvariant() switch
            {
                "produce" => AclOperations.Produce,
                "consume" => AclOperations.Consume,
                "describe" => AclOperations.Describe,
                "admin" => AclOperations.Admin,
                _ => throw new CliException($"operations: '{name}' is not an ACL operation (expected Produce, Consume, Describe or Admin).", ExitCodes.Usage),
            };
        }

        return result != AclOperations.None
            ? result
            : throw new CliException("operations: give at least one of Produce, Consume, Describe, Admin.", ExitCodes.Usage);
    }

    private static Command Grant(CliContext context)
    {
        var command = new Command("grant", "Add operations to what a principal may do on a topic (existing grants are kept).") { Topic, Principal, Operations };
        CliAction.Set(command, context, async (run, ct) =>
        {
            string topic = run.Required(Topic), principal = run.Required(Principal);
            var added = ParseOperations(run.Get(Operations) ?? []);
            using var deadline = run.Deadline(ct);
            using var admin = run.AdminClient();
            var before = await admin.GetAclAsync(topic, principal, deadline.Token);
            var after = before | added;
            await admin.SetAclAsync(topic, principal, after, deadline.Token);
            var row = AclRow.Of(topic, principal, after);
            run.Emit(row, o => o.WriteLine($"'{principal}' may now {Names(after)} on topic '{topic}'."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var command = new Command("revoke", "Remove every grant of a principal on a topic.") { Topic, Principal };
        CliAction.Set(command, context, async (run, ct) =>
        {
            string topic = run.Required(Topic), principal = run.Required(Principal);
            using var deadline = run.Deadline(ct);
            using var admin = run.AdminClient();
            await admin.SetAclAsync(topic, principal, AclOperations.None, deadline.Token);
            run.Emit(AclRow.Of(topic, principal, AclOperations.None), o => o.WriteLine($"Revoked every grant of '{principal}' on topic '{topic}'."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List the principals with grants on a topic.") { Topic };
        CliAction.Set(command, context, async (run, ct) =>
        {
            string topic = run.Required(Topic);
            using var deadline = run.Deadline(ct);
            using var admin = run.AdminClient();
            var rows = (await admin.ListAclsAsync(topic, deadline.Token))
                .Where(e => e.Operations != AclOperations.None)
                .OrderBy(e => e.Principal, StringComparer.Ordinal)
                .Select(e => AclRow.Of(e.Topic, e.Principal, e.Operations))
                .ToList();
            run.Emit(rows, o => TableWriter.Write(o, ["PRINCIPAL", "OPERATIONS"], rows.Select(r => (IReadOnlyList<string>)[r.Principal, string.Join(',', r.Operations)]),
                $"no ACLs on topic '{topic}'"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Names(AclOperations operations) => string.Join(", ", AclRow.Names(operations));
}

/// <summary>One principal's grants on a topic, as <c>acl list</c> shows them.</summary>
internal sealed record AclRow(string Topic, string Principal, IReadOnlyList<string> Operations)
{
    public static AclRow Of(string topic, string principal, AclOperations operations) => new(topic, principal, Names(operations));

    /// <summary>The names of the flags set in <paramref name="operations"/>, in a fixed order.</summary>
    public static IReadOnlyList<string> Names(AclOperations operations) =>
        [.. new[] { AclOperations.Produce, AclOperations.Consume, AclOperations.Describe, AclOperations.Admin }.Where(o => operations.HasFlag(o)).Select(o => o.ToString())];
}
