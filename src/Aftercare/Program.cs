using Aftercare.Account;
using Aftercare.App.Data;
using Aftercare.Audit;
using Aftercare.Cli;
using Aftercare.Components;
using Aftercare.Fhir;
using Aftercare.Hosting;
using Aftercare.Measures;
using Aftercare.Messaging;
using Aftercare.My;
using Aftercare.People;
using Aftercare.Plans;
using Aftercare.Presentations;
using Aftercare.Smart;

// The `aftercare` binary: serve, migrate, users, seed… each feature's commands (see Cli/AftercareCommands.cs).
return await AftercareCommands.RunAsync(args, Console.Out, Console.Error, Console.In);

/// <summary>The web application, read as a table of contents.</summary>
public static partial class Program
{
    public static WebApplication BuildWebApp(HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = settings.Args,
            ApplicationName = "aftercare",
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = settings.Environment,
        });
        builder.Configuration.AddInMemoryCollection(settings.Overrides);
        // Says nothing about what serves it (issue 17.12c).
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);

        builder.Services.AddSingleton(settings.Clock ?? TimeProvider.System);
        var database = settings.ResolveDatabase(builder.Configuration);
        builder.Services.AddAftercareDatabase(database, HostSettings.ResolveKeysFolder(builder.Configuration, database), HostSettings.ResolveKeyCertificate(builder.Configuration),
            builder.Configuration["Aftercare:StandbyDatabase"]);
        // OpenIddict logs whole authorization requests at Information: the identifier typed on the
        // SMART consent page and the form token with them. No patient data in logs (docs/architecture.md).
        builder.Logging.AddFilter("OpenIddict", LogLevel.Warning);
        // The request line ("Request starting GET /fhir/Patient?identifier=…") carries a FHIR
        // search's query string: an MRN or NHS number. Never logged, whatever Information is set to.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services.AddAftercareOptions(builder.Configuration);
        builder.Services.AddAftercareIdentity(builder.Configuration);
        builder.Services.AddPersonSignIn();
        builder.Services.AddAftercareWeb();
        builder.Services.AddPublicAddress(builder.Configuration);
        builder.Services.AddSmartOnFhir(builder.Configuration);
        builder.Services.AddAftercareHealth();
        builder.Services.AddAftercareTelemetry(builder.Configuration);
        builder.Logging.AddAftercareLogFormat(builder.Configuration);
        // Tests only: a seam to observe a service (e.g. count password checks). Null in production.
        settings.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();

        app.UseAftercarePipeline();
        app.MapHealth();
        app.MapAccount();
        app.MapPersonSignIn();
        app.MapPeopleApi();
        app.MapPresentationsApi();
        app.MapAuditApi();
        app.MapDocuments();
        app.MapMyPlan();
        app.MapInboundReplies();
        app.MapSmart();
        app.MapFhir();
        app.MapMeasures();
        app.MapRazorComponents<AftercareRoot>();
        return app;
    }
}
