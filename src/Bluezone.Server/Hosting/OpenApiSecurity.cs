using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Bluezone.Server.Hosting;

/// <summary>
/// Declares the two credentials in the OpenAPI document: the upload token (HTTP bearer, POST /v1/publish) and the
/// authority's API key (header X-API-Key). The framework leaves an Authorization header out of the parameters, so
/// without this the document would not say that publishing needs a token.
/// </summary>
internal sealed class OpenApiSecurity : IOpenApiDocumentTransformer
{
    private const string UploadToken = "uploadToken";
    private const string AuthorityKey = "authorityApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[UploadToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The single-use upload token from POST /v1/verify.",
        };
        document.Components.SecuritySchemes[AuthorityKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            Name = Verification.ApiKeys.Header,
            In = ParameterLocation.Header,
            Description = "An authority system's key, from `bluezone server apikey create`.",
        };

        Require(document, "/v1/publish", HttpMethod.Post, UploadToken);
        Require(document, "/v1/authority/codes", HttpMethod.Post, AuthorityKey);
        Require(document, "/v1/authority/codes/{id}", HttpMethod.Get, AuthorityKey);
        return Task.CompletedTask;
    }

    private static void Require(OpenApiDocument document, string path, HttpMethod method, string scheme)
    {
        if (document.Paths?.TryGetValue(path, out var item) == true && item.Operations?.TryGetValue(method, out var operation) == true)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] });
        }
    }
}
