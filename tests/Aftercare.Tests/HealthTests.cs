using System.Net;
using System.Text.Json;
using Aftercare.Domain.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 16, operations: what a load balancer or an on-call engineer reads. `/health/live` and
/// `/health/ready` answer without sign-in, name each check, and carry nothing about anyone.
/// </summary>
public sealed class HealthTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [Fact]
    public async Task Live_and_ready_answer_without_sign_in_and_name_each_check_but_no_one()
    {
        var client = app.AnonymousClient();

        var live = await client.GetAsync("health/live");
        var ready = await client.GetAsync("health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", JsonDocument.Parse(await live.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        var body = await ready.Content.ReadAsStringAsync();
        Assert.True(ready.StatusCode == HttpStatusCode.OK, body);
        var checks = JsonDocument.Parse(body).RootElement.GetProperty("checks");
        Assert.Equal(["database", "keys", "outbox"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.All(checks.EnumerateObject(), c => Assert.Equal("Healthy", c.Value.GetProperty("status").GetString()));
        var names = await app.Read(db => db.People.Select(p => p.FamilyName).ToListAsync());
        Assert.DoesNotContain(names, n => body.Contains(n, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("no-store", ready.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Ready_fails_and_says_how_many_messages_wait_when_one_is_overdue_beyond_the_limit()
    {
        var client = app.AnonymousClient();
        var personId = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        var due = app.Clock.GetUtcNow().AddHours(-2);
        var message = OutboxMessage.Schedule(personId, null, MessageKind.CaringContact, MessageChannel.Sms, "07700900999", "", "Thinking of you.", null, due, due).Value;
        await app.Read(async db => { db.OutboxMessages.Add(message); return await db.SaveChangesAsync(); });
        try
        {
            var ready = await client.GetAsync("health/ready");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var outbox = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("outbox");
            Assert.Equal("Unhealthy", outbox.GetProperty("status").GetString());
            Assert.Equal("1 message due for longer than 30 minutes.", outbox.GetProperty("description").GetString());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/live")).StatusCode);
        }
        finally
        {
            await app.Read(db => db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteDeleteAsync());
        }
    }
}
