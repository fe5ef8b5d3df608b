using System.Diagnostics.Metrics;

namespace Bluezone.Server.Hosting;

/// <summary>The server's own counters, exported on <c>/metrics</c> beside ASP.NET Core's. No label carries client data.</summary>
public sealed class ServerMetrics
{
    public const string MeterName = "Bluezone.Server";

    private readonly Counter<long> _codesIssued;
    private readonly Counter<long> _verifications;
    private readonly Counter<long> _keysPublished;
    private readonly Counter<long> _uploads;
    private readonly Counter<long> _exports;
    private readonly Counter<long> _joins;

    public ServerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _codesIssued = meter.CreateCounter<long>("bluezone.codes.issued", description: "Verification codes issued.");
        _verifications = meter.CreateCounter<long>("bluezone.codes.verifications", description: "Code verifications by outcome.");
        _keysPublished = meter.CreateCounter<long>("bluezone.keys.published", description: "Keys accepted for publication, by report type.");
        _uploads = meter.CreateCounter<long>("bluezone.uploads", description: "Uploads by kind and outcome.");
        _exports = meter.CreateCounter<long>("bluezone.exports.files", description: "Export files published.");
        _joins = meter.CreateCounter<long>("bluezone.community.joins", description: "Community joins counted.");
    }

    public void CodeIssued() => _codesIssued.Add(1);

    public void CodeVerified(string outcome) => _verifications.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void KeysPublished(int count, string reportType) => _keysPublished.Add(count, new KeyValuePair<string, object?>("report_type", reportType));

    public void Upload(string kind, string outcome) =>
        _uploads.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));

    public void ExportFilePublished() => _exports.Add(1);

    public void Joined() => _joins.Add(1);
}
