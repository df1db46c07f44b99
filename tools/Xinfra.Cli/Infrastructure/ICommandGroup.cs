using System.CommandLine;

namespace Xinfra.Cli.Infrastructure;

/// <summary>
/// A top-level command group (<c>topics</c>, <c>brokers</c>…). Implementations are found by reflection: a new group
/// is one new file with a parameterless class implementing this interface.
/// </summary>
internal interface ICommandGroup
{
    /// <summary>Builds the group's command and subcommands.</summary>
    Command Create(CliContext context);
}
