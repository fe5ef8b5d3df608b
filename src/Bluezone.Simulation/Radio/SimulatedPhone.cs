using Bluezone.Device;
using Bluezone.Device.Radio;
using Bluezone.Device.Storage;
using Bluezone.Simulation.World;

namespace Bluezone.Simulation.Radio;

/// <summary>
/// One app user's phone: the real device core with an in-memory radio and store, and the physical model of its
/// radio (which model it is). The simulator pumps it at the times it asks for and delivers advertisements
/// only while it scans.
/// </summary>
internal sealed class SimulatedPhone : IDisposable
{
    private readonly SimulationSecrets _secrets;

    /// <param name="codebook">The city's identifiers, so that the contact log holds what it hears as codes; null to hold it in full.</param>
    public SimulatedPhone(int person, PhoneModel model, PhoneModels models, SimulatedClock clock, int seed, CityCodebook? codebook = null)
    {
        Person = person;
        Model = model;
        Clock = clock;
        Store = new InMemoryDeviceStore(codebook);
        _secrets = new SimulationSecrets((int)Draw.Hash(seed, (long)Purpose.Secrets, person));
        Radio = new InMemoryRadio(reusePayloadBuffer: true); // read only while a scan hears it (CityRun.Hear)
        // No live view: nobody looks at a simulated phone's scan screen (the log and history do not depend on it).
        Device = new BluezoneDevice(Radio, Store, clock, new DeviceOptions { Model = model.Name, Sightings = { LiveView = false } }, models.Table, new Random((int)Draw.Hash(seed, (long)Purpose.AdvertOffset, person)), _secrets);
    }

    public int Person { get; }

    /// <summary>This phone's view of the simulated time (phones in different places are pumped on different threads).</summary>
    public SimulatedClock Clock { get; }

    public PhoneModel Model { get; }

    public InMemoryDeviceStore Store { get; }

    public InMemoryRadio Radio { get; }

    public BluezoneDevice Device { get; }

    /// <summary>How many scans had started when the simulator last looked (a new one means: deliver adverts now).</summary>
    public int ScansSeen { get; set; }

    public void Dispose()
    {
        Device.Dispose();
        _secrets.Dispose();
    }
}
