using Bluezone.Device;
using Bluezone.Device.Radio;
using Bluezone.Device.Reporting;
using Bluezone.Device.Storage;
using Bluezone.Device.Sync;
using Bluezone.Device.Warnings;

namespace Bluezone.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One simulated phone: a real device core on an <see cref="InMemoryRadio"/>, its own store (an SQLite file or
/// the simulator's in-memory store), and the sync and upload flows talking to the server over HTTP.
/// </summary>
public sealed class Phone : IDisposable
{
    private readonly string? _directory;

    public Phone(string name, TimeProvider time, Uri server, bool sqlite, int seed)
    {
        Name = name;
        if (sqlite)
        {
            _directory = Directory.CreateTempSubdirectory($"bluezone-e2e-{name}-").FullName;
            Store = DeviceStore.Open(_directory);
        }
        else
        {
            Store = new InMemoryDeviceStore();
        }

        Device = new BluezoneDevice(Radio, Store, time, jitter: new Random(seed)) { ForegroundScanning = true };
        Warnings = new ExposureWarnings(Store);
        Warnings.WarningRaised += (_, e) => Raised.Add(e.Current);

        // Retries are real (a few milliseconds here), the phone's own clock is simulated.
        Api = new ServerApi(server, new SyncOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 2 });
        Sync = new ExposureSync(Api, Store, Warnings, time);
        Uploads = new ReportUploads(Api, Store, Warnings, time);
    }

    public string Name { get; }

    public InMemoryRadio Radio { get; } = new();

    public IDeviceStore Store { get; }

    public BluezoneDevice Device { get; }

    public ExposureWarnings Warnings { get; }

    public ServerApi Api { get; }

    public ExposureSync Sync { get; }

    public ReportUploads Uploads { get; }

    /// <summary>Every <see cref="ExposureWarnings.WarningRaised"/> the app would have shown.</summary>
    public List<WarningStatus> Raised { get; } = [];

    public WarningStatus Status => Warnings.Current;

    public string? DataDirectory => _directory;

    public void Dispose()
    {
        Device.Dispose();
        Api.Dispose();
        if (Store is DeviceStore sqlite)
        {
            sqlite.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
