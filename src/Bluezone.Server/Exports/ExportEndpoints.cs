using System.Text;
using System.Text.RegularExpressions;
using Bluezone.Server.Hosting;
using Bluezone.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Bluezone.Server.Exports;

/// <summary>
/// Export downloads. Files never change once written, so they are cacheable for a year (a CDN carries the load);
/// the index changes every batch and is cached for minutes. Both carry ETags and answer If-None-Match with 304.
/// </summary>
public static partial class ExportEndpoints
{
    public const string IndexFileName = "index.txt";
    public const string PublicKeyFileName = "public-key.pem";

    public static RouteGroupBuilder MapExportApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/exports").WithTags("Exports");
        group.MapMethods("/" + IndexFileName, ["GET", "HEAD"], IndexAsync).WithName("GetExportIndex")
            .WithSummary("The live export files, one name per line (relative to /v1/exports/), oldest first.");
        group.MapGet("/" + PublicKeyFileName, PublicKey).WithName("GetExportPublicKey")
            .WithSummary("The ECDSA P-256 public key (PEM) that verifies export.sig and the device configuration.");
        group.MapMethods("/{name}", ["GET", "HEAD"], FileAsync).WithName("GetExportFile")
            .WithSummary("One signed export zip (export.bin + export.sig).")
            .Produces<ApiError>(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<FileContentHttpResult> IndexAsync(HttpContext context, BluezoneDbContext db, IOptions<ExportOptions> options, CancellationToken cancellationToken)
    {
        var names = await db.ExportFiles.AsNoTracking()
            .Join(db.ExportBatches, f => f.BatchId, b => b.Id, (f, b) => new { f.Name, b.EndTime, f.BatchNumber })
            .ToListAsync(cancellationToken);
        var text = new StringBuilder();
        foreach (var name in names.OrderBy(n => n.EndTime).ThenBy(n => n.BatchNumber))
        {
            text.Append(name.Name).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..32]}\"";
        context.Response.Headers.CacheControl = $"public, max-age={(int)options.Value.IndexCacheLifetime.TotalSeconds}";
        return TypedResults.Bytes(bytes, "text/plain; charset=utf-8", entityTag: EntityTagHeaderValue.Parse(etag));
    }

    private static async Task<Results<FileContentHttpResult, JsonHttpResult<ApiError>>> FileAsync(string name, HttpContext context, BluezoneDbContext db, CancellationToken cancellationToken)
    {
        var file = FileName().IsMatch(name)
            ? await db.ExportFiles.AsNoTracking().Where(f => f.Name == name).Select(f => new { f.Content, f.ETag, f.CreatedAt }).FirstOrDefaultAsync(cancellationToken)
            : null;
        if (file is null)
        {
            return ApiError.NotFound("export_not_found", "No such export file; see index.txt for the live ones.").ToResult();
        }

        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return TypedResults.Bytes(file.Content, "application/zip", name, lastModified: file.CreatedAt, entityTag: EntityTagHeaderValue.Parse(file.ETag));
    }

    private static FileContentHttpResult PublicKey(HttpContext context, ExportSigningKey key)
    {
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return TypedResults.Bytes(Encoding.ASCII.GetBytes(key.PublicKeyPem), "application/x-pem-file");
    }

    [GeneratedRegex(@"^\d{1,12}-\d{1,12}-\d{5}\.zip$")]
    private static partial Regex FileName();
}
