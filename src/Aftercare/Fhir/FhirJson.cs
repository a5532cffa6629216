using System.Text.Json;
using Aftercare.Domain;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Fhir;

/// <summary>
/// The one FHIR serializer of the host, built once at start-up (docs/architecture.md): Firely's
/// System.Text.Json converters, strict when reading.
/// </summary>
public static class FhirJson
{
    public static readonly JsonSerializerOptions Options = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    /// <summary>The resource as JSON, its canonical URLs still under <see cref="CanonicalUrls.Base"/>: for what does not leave the server.</summary>
    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, Options);

    /// <summary>The resource as a client is given it: its canonical URLs on this server's public address (<see cref="CanonicalUrls"/>).</summary>
    public static string Serialize(Resource resource, HttpContext context) => CanonicalUrls.Outward(Serialize(resource), CanonicalUrls.PublicBase(context));

    /// <summary>A body a client sent (<see cref="Parse(string)"/>), this server's canonical URLs in it read as the code knows them.</summary>
    public static Result<Resource> Parse(string body, HttpContext context) => Parse(CanonicalUrls.Inward(body ?? "", CanonicalUrls.PublicBase(context)));

    /// <summary>Reads a resource; a body that is not valid FHIR JSON is an expected failure, not an exception.</summary>
    public static Result<Resource> Parse(string body)
    {
        try
        {
            var resource = JsonSerializer.Deserialize<Resource>(body, Options);
            return resource is null ? Result<Resource>.Failure("body", "The body is empty.") : resource;
        }
        catch (DeserializationFailedException e)
        {
            return Result<Resource>.Failure([.. e.Exceptions.Take(20).Select(x => new Error("body", x.Message))]);
        }
        catch (JsonException e)
        {
            return Result<Resource>.Failure("body", $"The body is not valid JSON: {e.Message.Split('.')[0]}.");
        }
    }

    public static IResult Ok(Resource resource, int status = StatusCodes.Status200OK, string? location = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return new FhirResult(resource, status, location);
    }

    /// <summary>Writes a resource with ETag and Last-Modified from its meta, and Location on creation.</summary>
    private sealed class FhirResult(Resource resource, int status, string? location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = FhirRoutes.ContentType;
            if (resource.Meta?.VersionId is { } version)
            {
                response.Headers.ETag = $"W/\"{version}\"";
            }

            if (resource.Meta?.LastUpdated is { } updated)
            {
                response.Headers.LastModified = updated.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            }

            if (location is not null)
            {
                response.Headers.Location = location;
            }

            return response.WriteAsync(Serialize(resource, httpContext));
        }
    }
}
