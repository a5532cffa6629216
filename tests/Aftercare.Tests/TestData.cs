using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>Reads the database the application wrote to, as a test checks what became durable.</summary>
public static class TestData
{
    public static async Task<T> Read<T>(this AftercareApplication app, Func<AftercareDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AftercareDbContext>());
    }

    public static Task<Guid> SiteId(this AftercareApplication app) =>
        app.Read(db => db.Sites.Where(s => s.Code == Requests.DemoSiteCode).Select(s => s.Id).SingleAsync());

    public static Task<int> PeopleCount(this AftercareApplication app) => app.Read(db => db.People.CountAsync());

    public static Task<int> PresentationCount(this AftercareApplication app) => app.Read(db => db.Presentations.CountAsync());

    public static Task<int> AuditCount(this AftercareApplication app) => app.Read(db => db.AuditEvents.CountAsync());

    public static Task<List<AuditEvent>> AuditFor(this AftercareApplication app, Guid personId) =>
        app.Read(db => db.AuditEvents.Where(a => a.PersonId == personId).OrderBy(a => a.Id).ToListAsync());
}
