using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xinfra.Migration;
using Xinfra.Monitoring;
using Xinfra.Producing.Outbox;
using Xinfra.Transport;

namespace Xinfra.Routing;

/// <summary>
/// Holds the last known good Xinfra configuration. It validates the options at start (throwing
/// <see cref="XinfraConfigurationException"/> with every problem found) and on every change from
/// <see cref="IOptionsMonitor{TOptions}"/> or <see cref="TryApply"/>: a valid change replaces the snapshot and raises
/// <see cref="Changed"/>; an invalid one is logged, counted, and ignored, so a typo in a live edit never takes a
/// running service down.
/// </summary>
public sealed class XinfraConfigurationMonitor : IDisposable
{
    private readonly XinfraOptionsValidator _validator;
    private readonly BoundSectionCheck? _sectionCheck;
    private readonly DivergenceGate? _gate;
    private readonly DualWriteOutboxes? _outboxes;
    private readonly ILogger _logger;
    private readonly IDisposable? _subscription;
    private readonly Lock _lock = new();
    private XinfraSnapshot _current;
    private readonly IDisposable _phaseGauge;

    /// <summary>Creates the monitor and validates the current options.</summary>
    public XinfraConfigurationMonitor(
        IOptionsMonitor<XinfraOptions> options,
        IEnumerable<ITransportFactory> factories,
        ILogger<XinfraConfigurationMonitor> logger)
        : this(options, factories, logger, section: null, gate: null, outboxes: null)
    {
    }

    internal XinfraConfigurationMonitor(
        IOptionsMonitor<XinfraOptions> options,
        IEnumerable<ITransportFactory> factories,
        ILogger<XinfraConfigurationMonitor> logger,
        BoundSectionCheck? section,
        DivergenceGate? gate,
        DualWriteOutboxes? outboxes)
    {
        _gate = gate;
        _outboxes = outboxes;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(factories);
        _logger = logger;
        _sectionCheck = section;
        _validator = new XinfraOptionsValidator(factories.Select(f => f.Kind).ToHashSet());
        var initial = Read(options);
        var errors = CheckSection(initial) ?? Validate(initial);
        if (errors is not null)
        {
            throw new XinfraConfigurationException($"Xinfra configuration is invalid:{Environment.NewLine}{errors}");
        }

        _current = new XinfraSnapshot(initial, 1);
        _phaseGauge = ClientMetrics.ObservePhases(ObservePhases);
        Log.ConfigurationApplied(_logger, initial.Clusters.Count, initial.Topics.Count);
        _subscription = options.OnChange((_, name) =>
        {
            if (string.IsNullOrEmpty(name))
            {
                OnOptionsChanged(options);
            }
        });
    }

    /// <summary>The configuration in force.</summary>
    public XinfraSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Why the most recent change was refused, or null when the most recent change was applied. For health checks and operators.</summary>
    public string? LastRejection { get; private set; }

    /// <summary>Raised after a valid change was applied, with the new snapshot.</summary>
    public event Action<XinfraSnapshot>? Changed;

    /// <summary>Applies <paramref name="options"/> if valid (for example a config-service document); returns the errors otherwise.</summary>
    public bool TryApply(XinfraOptions options, out string? errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        errors = Validate(options);
        if (errors is not null)
        {
            Reject(errors);
            return false;
        }

        XinfraSnapshot previous;
        XinfraSnapshot next;
        lock (_lock)
        {
            previous = _current;
            if (previous.Fingerprint == XinfraSnapshot.FingerprintOf(options))
            {
                // A reload that changed nothing (file watchers often fire twice) is not a change.
                return true;
            }

            next = new XinfraSnapshot(options, previous.Version + 1);
            var transitionErrors = new List<string>();
            PhaseTransitions.Check(transitionErrors, previous, next, _gate, _outboxes);
            if (transitionErrors.Count > 0)
            {
                errors = string.Join(Environment.NewLine, transitionErrors.Select(f => "  - " + f));
                Reject(errors);
                return false;
            }

            Volatile.Write(ref _current, next);
            LastRejection = null;
        }

        foreach (var (topic, route) in next.Routes)
        {
            if (previous.Routes.TryGetValue(topic, out var old) && old.Phase != route.Phase)
            {
                ClientMetrics.PhaseChanges.Add(1, new KeyValuePair<string, object?>("topic", topic));
                Log.PhaseChanged(_logger, topic, old.Phase, route.Phase);
            }
        }

        Log.ConfigurationApplied(_logger, options.Clusters.Count, options.Topics.Count);
        Changed?.Invoke(next);
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _phaseGauge.Dispose();
        _subscription?.Dispose();
    }

    private IEnumerable<Measurement<int>> ObservePhases()
    {
        foreach (var (topic, route) in Current.Routes)
        {
            yield return new Measurement<int>((int)route.Phase, new KeyValuePair<string, object?>("topic", topic));
        }
    }

    private void OnOptionsChanged(IOptionsMonitor<XinfraOptions> options)
    {
        XinfraOptions value;
        try
        {
            value = Read(options);
        }
        catch (XinfraConfigurationException ex)
        {
            Reject(ex.Message);
            return;
        }

        var sectionErrors = CheckSection(value);
        if (sectionErrors is not null)
        {
            Reject(sectionErrors);
            return;
        }

        TryApply(value, out _);
    }

    private void Reject(string errors)
    {
        LastRejection = errors;
        ClientMetrics.ConfigRejected.Add(1);
        Log.ConfigurationRejected(_logger, errors);
    }

    private string? CheckSection(XinfraOptions value)
    {
        if (_sectionCheck is null)
        {
            return null;
        }

        var errors = new List<string>();
        _sectionCheck.Collect(errors, value);
        return errors.Count == 0 ? null : string.Join(Environment.NewLine, errors.Select(f => "  - " + f));
    }

    private string? Validate(XinfraOptions options)
    {
        var result = _validator.Validate(XinfraOptions.SectionName, options);
        return result.Failed ? string.Join(Environment.NewLine, result.Failures!.Select(f => "  - " + f)) : null;
    }

    private static XinfraOptions Read(IOptionsMonitor<XinfraOptions> options)
    {
        try
        {
            return options.CurrentValue;
        }
        catch (InvalidOperationException ex)
        {
            // The configuration binder refuses values it cannot convert (an unknown enum name, text for a number) and
            // names the path in its message.
            throw new XinfraConfigurationException($"Xinfra configuration is invalid: {ex.Message}", ex);
        }
    }
}
