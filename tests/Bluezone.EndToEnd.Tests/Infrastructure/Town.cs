using Bluezone.Device.Radio;
using Microsoft.Extensions.Time.Testing;

namespace Bluezone.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Phones in simulated time: while two phones are "together", each hears the other's real advertisement (whatever
/// its device core has on the air at that second, rotations included) at a chosen attenuation. Only the radio is
/// simulated; keys, RPIs, AEMs, scans and the store are the real device core's.
/// </summary>
public sealed class Town : IDisposable
{
    /// <summary>RSSI for an attenuation with the defaults both sides use (tx −24 dBm, RSSI correction −4 dB).</summary>
    public static int RssiFor(int attenuationDb) => -24 + 4 - attenuationDb;

    public const int Close = 50;  // immediate bucket (≤ 55 dB)
    public const int Medium = 70; // medium bucket (≤ 73 dB): weight 0.5
    public const int Far = 85;    // "other" bucket (> 73 dB): weight 0, and beyond the heard-token margin (79 dB)

    private readonly List<Phone> _phones = [];

    public Town(DateTimeOffset start) => Time = new FakeTimeProvider(start);

    /// <summary>The phones' clock.</summary>
    public FakeTimeProvider Time { get; }

    public Phone Add(string name, Uri server, bool sqlite)
    {
        var phone = new Phone(name, Time, server, sqlite, seed: _phones.Count + 1);
        _phones.Add(phone);
        phone.Device.Pump();
        return phone;
    }

    /// <summary>Syncs each phone once; every sync must complete (the reasons are shown when one does not).</summary>
    public static async Task SyncAllAsync(params Phone[] phones)
    {
        foreach (var phone in phones)
        {
            var result = await phone.Sync.SyncAsync();
            Assert.True(result.Complete, phone.Name + ": " + string.Join("; ", result.Refused.Select(r => r.Reason).Concat(result.Problems)));
        }
    }

    /// <summary>
    /// Runs every phone, second by second, from now for <paramref name="duration"/>, with each listed pair hearing
    /// each other at its attenuation; then a minute of quiet so the last scans close and are stored.
    /// </summary>
    public void Together(TimeSpan duration, params (Phone A, Phone B, int AttenuationDb)[] pairs) =>
        Run(duration, [.. pairs.SelectMany(p => new[] { (p.A, p.B, p.AttenuationDb), (p.B, p.A, p.AttenuationDb) })]);

    /// <summary>Only <paramref name="listener"/> hears <paramref name="speaker"/> (the other way the signal is lost, e.g. a pocket).</summary>
    public void Overhears(TimeSpan duration, Phone listener, Phone speaker, int attenuationDb) =>
        Run(duration, [(listener, speaker, attenuationDb)]);

    /// <summary>
    /// Asymmetric radio: each listed listener hears its speaker at its own attenuation for <paramref name="duration"/>
    /// (the two directions of one pair may differ, as shadowing and phone calibration do).
    /// </summary>
    public void Hearing(TimeSpan duration, params (Phone Listener, Phone Speaker, int AttenuationDb)[] hearing) =>
        Run(duration, hearing);

    private void Run(TimeSpan duration, (Phone Listener, Phone Speaker, int AttenuationDb)[] hearing)
    {
        var end = Time.GetUtcNow() + duration;
        while (Time.GetUtcNow() < end)
        {
            Step(hearing);
        }

        var quiet = Time.GetUtcNow() + TimeSpan.FromMinutes(1);
        while (Time.GetUtcNow() < quiet)
        {
            Step([]);
        }

        foreach (var phone in _phones)
        {
            phone.Store.Flush();
        }
    }

    /// <summary>Moves the phones' clock to <paramref name="time"/> (no one near anyone in between).</summary>
    public void JumpTo(DateTimeOffset time)
    {
        Time.SetUtcNow(time);
        foreach (var phone in _phones)
        {
            phone.Device.Pump();
        }
    }

    public void Dispose()
    {
        foreach (var phone in _phones)
        {
            phone.Dispose();
        }
    }

    private void Step((Phone Listener, Phone Speaker, int AttenuationDb)[] hearing)
    {
        var now = Time.GetUtcNow();
        foreach (var phone in _phones)
        {
            phone.Device.Pump();
        }

        foreach (var (listener, speaker, attenuation) in hearing)
        {
            Hear(listener, speaker, now, attenuation);
        }

        Time.Advance(TimeSpan.FromSeconds(1));
    }

    private static void Hear(Phone listener, Phone speaker, DateTimeOffset now, int attenuation)
    {
        if (speaker.Radio.Payload is { } payload && speaker.Radio.Address is { } address)
        {
            listener.Radio.Deliver(new ReceivedAdvertisement(now, address, RssiFor(attenuation), payload));
        }
    }
}
