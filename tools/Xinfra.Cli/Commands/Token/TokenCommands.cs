using System.CommandLine;
using System.Globalization;
using Xinfra.Cli.Infrastructure;
using Xinfra.Northguard.Security;

namespace Xinfra.Cli.Commands.Token;

/// <summary><c>xinfra token issue|list|revoke</c>: application tokens of a secured Northguard cluster.</summary>
internal sealed class TokenCommands : ICommandGroup
{
    private static readonly Argument<string> Application = new("application") { Description = "The application (its ACL principal)." };
    private static readonly Argument<string> Id = new("id") { Description = "The token id (the public part shown by 'token list')." };
    private static readonly Option<bool> ClusterAdmin = new("--cluster-admin") { Description = "The token may also create topics and manage tokens." };
    private static readonly Option<string?> ApplicationFilter = new("--application") { Description = "List only this application's tokens." };

    /// <inheritdoc />
    public Command Create(CliContext context)
    {
        var group = new Command("token", "Issue, list and revoke application tokens (needs a cluster-admin --token).");
        group.Subcommands.Add(Issue(context));
        group.Subcommands.Add(List(context));
        group.Subcommands.Add(Revoke(context));
        return group;
    }

    private static Command Issue(CliContext context)
    {
        var command = new Command("issue", "Issue a token for an application. The token is printed once: store it now, it cannot be read back.")
        {
            Application, ClusterAdmin,
        };
        CliAction.Set(command, context, async (run, ct) =>
        {
            using var deadline = run.Deadline(ct);
            using var admin = run.AdminClient();
            var issued = await admin.IssueTokenAsync(run.Required(Application), run.Get(ClusterAdmin), deadline.Token);
            var info = TokenRow.Of(issued.Info);
            run.Warn($"the token is shown only once and stored hashed: keep it in a secret store now (revoke it with 'xinfra token revoke {info.Id}').");
            run.Emit(new { info.Id, info.Application, info.CreatedAt, info.ClusterAdmin, token = issued.Token }, o =>
            {
                o.WriteLine($"Issued token {info.Id} for application '{info.Application}'{(info.ClusterAdmin ? " (cluster admin)" : string.Empty)}:");
                o.WriteLine(issued.Token);
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List tokens (ids, applications, dates, revocation), never their secrets.") { ApplicationFilter };
        CliAction.Set(command, context, async (run, ct) =>
        {
            using var deadline = run.Deadline(ct);
            using var admin = run.AdminClient();
            var tokens = await admin.ListTokensAsync(run.Get(ApplicationFilter), deadline.Token);
            var rows = tokens.OrderBy(t => t.Application, StringComparer.Ordinal).ThenBy(t => t.CreatedAt).Select(TokenRow.Of).ToList();
            run.Emit(rows, o => TableWriter.Write(o, ["ID", "APPLICATION", "CLUSTER ADMIN", "CREATED", "REVOKED"],
                rows.Select(r => (IReadOnlyList<string>)[r.Id, r.Application, r.ClusterAdmin ? "yes" : "no", Time(r.CreatedAt), r.RevokedAt is { } at ? Time(at) : "-"]),
                "no tokens"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var command = new Command("revoke", "Revoke a token: brokers refuse it within their security cache TTL.") { Id };
        CliAction.Set(command, context, async (run, ct) =>
        {
            using var deadline = run.Deadline(ct);
            using var admin = run.AdminClient();
            var row = TokenRow.Of(await admin.RevokeTokenAsync(run.Required(Id), deadline.Token));
            run.Emit(row, o => o.WriteLine($"Revoked token {row.Id} of application '{row.Application}'."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A token as <c>token list</c> shows it: never its secret.</summary>
internal sealed record TokenRow(string Id, string Application, bool ClusterAdmin, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool Active)
{
    public static TokenRow Of(TokenInfo t) => new(t.Id, t.Application, t.ClusterAdmin, t.CreatedAt, t.RevokedAt, t.IsActive);
}
