using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Aftercare.Hosting;

/// <summary>
/// The address people and apps reach Aftercare at: <c>Aftercare:PublicBaseUrl</c>, or, unset, the
/// first address it listens on (<c>--urls</c>, default http://127.0.0.1:5000), with a wildcard host
/// read as 127.0.0.1. SMART discovery and the OpenIddict issuer name this address, never the Host
/// header a request happens to carry, and requests for any other host are refused with 400
/// (issue 17.11): with <c>AllowedHosts: *</c> a request with <c>Host: evil.example</c> was told to
/// send its credentials to http://evil.example/connect/token.
/// </summary>
public sealed class PublicAddress(IConfiguration configuration, IServer server)
{
    public const string Setting = "Aftercare:PublicBaseUrl";

    /// <summary>Always allowed: a reverse proxy on this machine often forwards its own upstream name.</summary>
    internal static readonly string[] Loopback = ["localhost", "127.0.0.1", "[::1]"];

    private Uri? _base;

    /// <summary>Ends with a slash.</summary>
    public Uri Base => _base ??= Configured(configuration) ?? Listening();

    /// <summary>Base and a path on it, e.g. "/connect/token".</summary>
    public string For(string path) => new Uri(Base, (path ?? "").TrimStart('/')).AbsoluteUri;

    internal static Uri? Configured(IConfiguration configuration)
    {
        var value = configuration[Setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new SettingsException($"{Setting} \"{value}\" is not an address such as https://aftercare.example.org/.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    private Uri Listening()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? configuration["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? Cli.AftercareCommands.DefaultUrls;
        var uri = new UriBuilder(WithoutWildcard(address)) { Path = "/" };
        return uri.Uri;
    }

    internal static IEnumerable<string> Hosts(string? urls) =>
        (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(WithoutWildcard(u), UriKind.Absolute, out var uri) ? uri.IdnHost : null)
            .OfType<string>();

    /// <summary>Kestrel's "any address" spellings, read as this machine.</summary>
    private static string WithoutWildcard(string address) => address
        .Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
        .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal);
}

public static class PublicAddressRegistration
{
    public static IServiceCollection AddPublicAddress(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = PublicAddress.Configured(configuration);
        services.AddSingleton<PublicAddress>();
        // Set before the host's own fallback (AllowedHosts, "*" when unset), which then leaves it alone.
        services.Configure<HostFilteringOptions>(o =>
        {
            var hosts = new List<string>(PublicAddress.Loopback);
            if (configured is not null)
            {
                hosts.Add(configured.IdnHost);
            }

            hosts.AddRange(PublicAddress.Hosts(configuration["urls"]));
            // Further names a deployment answers to; "*" (any host at all) is what this replaces, so it is ignored.
            hosts.AddRange((configuration["AllowedHosts"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(h => h != "*"));
            o.AllowedHosts = [.. hosts.Distinct(StringComparer.OrdinalIgnoreCase)];
        });
        return services;
    }
}

/// <summary>A setting that does not make sense: Aftercare does not start, and says which.</summary>
public sealed class SettingsException : Exception
{
    public SettingsException()
        : base("A setting does not make sense.")
    {
    }

    public SettingsException(string message)
        : base(message)
    {
    }

    public SettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
