using Bluezone.Device.Encounters;

namespace Bluezone.Device.Storage;

/// <summary>The working buffers of the day being written, passed on from day to day.</summary>
public sealed partial class InMemoryDeviceStore
{
    /// <summary>
    /// What a day needs only while it is written — its stream (bytes, entries, cursors), look-ups, source list and
    /// encounter rows — kept when the day is sealed for the next day the store writes. A store writes one day at a
    /// time, so one set serves them all: a city's phones no longer allocate (and drop) tens of kilobytes a day each
    /// growing them, and the set, once grown, lives as long as the phone, out of the collector's young generation.
    /// </summary>
    /// <remarks>Only the store's own calls use it (one thread at a time, as the store itself).</remarks>
    private sealed class WritingBuffers
    {
        private ContactStream? _stream;
        private DayLookups? _lookups;
        private List<int>? _sources;
        private Dictionary<long, (EncounterKind Kind, int CloseSeconds)>? _rows;

        public ContactStream TakeStream(long dayStartMs)
        {
            var stream = _stream;
            _stream = null;
            if (stream is null)
            {
                return new ContactStream(dayStartMs);
            }

            stream.Reset(dayStartMs);
            return stream;
        }

        public DayLookups TakeLookups()
        {
            var lookups = _lookups ?? new DayLookups();
            _lookups = null;
            return lookups;
        }

        public List<int> TakeSources()
        {
            var sources = _sources ?? [];
            _sources = null;
            return sources;
        }

        public Dictionary<long, (EncounterKind Kind, int CloseSeconds)> TakeRows()
        {
            var rows = _rows ?? [];
            _rows = null;
            return rows;
        }

        public void Give(ContactStream stream, DayLookups lookups)
        {
            lookups.Reset();
            _stream = stream;
            _lookups = lookups;
        }

        public void Give(List<int> sources)
        {
            sources.Clear();
            _sources = sources;
        }

        public void Give(Dictionary<long, (EncounterKind Kind, int CloseSeconds)> rows)
        {
            rows.Clear();
            _rows = rows;
        }
    }
}
