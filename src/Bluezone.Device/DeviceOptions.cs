using Bluezone.Device.Encounters;
using Bluezone.Device.History;
using Bluezone.Device.Identity;
using Bluezone.Device.Proximity;
using Bluezone.Device.Sightings;

namespace Bluezone.Device;

/// <summary>Everything configurable about a device core, validated when the device starts.</summary>
public sealed class DeviceOptions
{
    /// <summary>This phone's model as "OEM,MODEL" for the calibration table; null when unknown (global average).</summary>
    public string? Model { get; set; }

    public IdentityOptions Identity { get; init; } = new();

    public SightingOptions Sightings { get; init; } = new();

    public EncounterOptions Encounters { get; init; } = new();

    public ProximityOptions Proximity { get; init; } = new();

    public HistoryOptions History { get; init; } = new();

    public void Validate()
    {
        Identity.Validate();
        Sightings.Validate();
        Encounters.Validate();
        Proximity.Validate();
        History.Validate();
    }
}
