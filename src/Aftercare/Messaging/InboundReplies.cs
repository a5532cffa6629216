using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aftercare.Access;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.Domain.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Messaging;

/// <summary>
/// Text replies from people, through the SMS gateway's inbound webhook (issue 14.5). The gateway
/// signs each call: header <c>X-Aftercare-Timestamp</c> (Unix seconds) and
/// <c>X-Aftercare-Signature: sha256=&lt;hex HMAC-SHA256 of "timestamp.body" with the shared secret&gt;</c>;
/// body <c>{"id": "...", "from": "+447700900123", "text": "..."}</c>. A forged signature, a call
/// outside the time window and a message id seen before are refused, and nothing is kept. Nothing
/// the person wrote reaches the log: only the kind of refusal.
/// </summary>
public static partial class InboundReplies
{
    public const string SmsPath = "/messages/inbound/sms";

    public static IEndpointRouteBuilder MapInboundReplies(this IEndpointRouteBuilder app)
    {
        app.MapPost(SmsPath, ReceiveText).AllowAnonymous().DisableAntiforgery().WithMetadata(new NoRecordAttribute());
        return app;
    }

    /// <summary>The signature the gateway sends for a body at a time: what the tests and a gateway's docs compute.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    private sealed record InboundText(string? Id, string? From, string? Text);

    private static async Task<IResult> ReceiveText(
        HttpRequest request, AftercareDbContext db, TimeProvider clock, LocalTime time, MessagingOptions options, PersonVoiceSettings voice, ILoggerFactory logs, CancellationToken ct)
    {
        var log = logs.CreateLogger(typeof(InboundReplies));
        var secret = options.Replies.SmsWebhookSecret;
        if (string.IsNullOrWhiteSpace(secret))
        {
            return Results.Problem("Text replies are not set up on this server (Aftercare:Messaging:Replies:SmsWebhookSecret).", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(ct);
        var timestamp = request.Headers["X-Aftercare-Timestamp"].ToString();
        var signature = request.Headers["X-Aftercare-Signature"].ToString();
        if (!long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(clock.GetUtcNow().ToUnixTimeSeconds() - seconds) > options.Replies.SmsWebhookToleranceSeconds)
        {
            LogRefused(log, "timestamp outside the window");
            return Unauthorized("The call's timestamp is missing or outside the allowed window: a replayed call is refused.");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature)))
        {
            LogRefused(log, "signature does not match");
            return Unauthorized("The signature does not match the body.");
        }

        InboundText? text;
        try
        {
            text = JsonSerializer.Deserialize<InboundText>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            text = null;
        }

        if (text is null || string.IsNullOrWhiteSpace(text.Id) || string.IsNullOrWhiteSpace(text.From) || string.IsNullOrWhiteSpace(text.Text))
        {
            return Results.Problem("Send {\"id\", \"from\", \"text\"}, each not empty.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (await PersonByMobile(db, text.From, ct) is not { } personId)
        {
            // Not a number one record holds: nothing is kept (the gateway should not retry).
            LogRefused(log, "number matches no single record");
            return Results.Accepted();
        }

        var kept = await PersonMessages.FromThePerson(db, clock, time, voice, personId, ThreadChannel.Text, text.Text, text.Id, ct);
        if (!kept.IsSuccess)
        {
            return Results.Problem(kept.Errors[0].Message, statusCode: StatusCodes.Status400BadRequest);
        }

        return kept.Value == PersonMessages.Received.AlreadyKept
            ? Results.Problem("This message was received before: it is kept once.", statusCode: StatusCodes.Status409Conflict)
            : Results.Ok(new { status = "received" });
    }

    /// <summary>The one record with this mobile number (compared by its last ten digits: +44 7700 900123 is 07700 900123).</summary>
    public static async Task<Guid?> PersonByMobile(AftercareDbContext db, string from, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var digits = new string([.. (from ?? "").Where(char.IsAsciiDigit)]);
        if (digits.Length < 10)
        {
            return null;
        }

        var last = digits[^10..];
        var found = await db.People.AsNoTracking().Where(p => p.Phone != null && p.Phone.Replace(" ", "").Replace("-", "").EndsWith(last))
            .Select(p => p.Id).Take(2).ToListAsync(ct);
        // Two records with one number: keep it for neither rather than guess whose it is.
        return found.Count == 1 ? found[0] : null;
    }

    private static IResult Unauthorized(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An inbound text was refused: {Why}")]
    private static partial void LogRefused(ILogger logger, string why);
}
