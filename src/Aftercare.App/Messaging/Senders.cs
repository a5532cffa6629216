using System.Net.Http.Headers;
using System.Net.Http.Json;
using Aftercare.Domain.Messaging;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Aftercare.App.Messaging;

/// <summary>Sends one message on its channel; throws if it could not.</summary>
public interface IMessageSender
{
    Task SendAsync(OutboxMessage message, string optOutUrl, CancellationToken ct);

    /// <summary>Whether there is anywhere to send to; until there is, messages wait untried.</summary>
    bool IsConfigured => true;
}

/// <summary>Email over SMTP with MailKit. The Message-ID is the outbox id, so a resend is recognisable.</summary>
public sealed class SmtpSender(MessagingOptions options) : IMessageSender
{
    public bool IsConfigured => options.CanSend(MessageChannel.Email);

    public async Task SendAsync(OutboxMessage message, string optOutUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var smtp = options.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            throw new InvalidOperationException("No SMTP server is configured (Aftercare:Messaging:Smtp:Host).");
        }

        var mime = new MimeMessage { Subject = message.Subject, MessageId = $"{message.Id}@aftercare" };
        mime.From.Add(new MailboxAddress(smtp.FromName, smtp.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        var replies = options.Replies.Imap;
        var canReply = !string.IsNullOrWhiteSpace(replies.Host) && !string.IsNullOrWhiteSpace(replies.Address);
        if (canReply)
        {
            mime.ReplyTo.Add(new MailboxAddress(smtp.FromName, replies.Address!));
        }

        var answer = canReply ? "\n\nYou can reply to this email: someone in your care team will read it." : "";
        var body = new BodyBuilder
        {
            TextBody = $"{message.Body}{answer}\n\nIf you would rather not get these messages, you can stop them here: {optOutUrl}\n",
        };
        if (message.Calendar is { } calendar)
        {
            var invite = body.Attachments.Add("invitation.ics", System.Text.Encoding.UTF8.GetBytes(calendar), new ContentType("text", "calendar"));
            invite.ContentType.Parameters.Add("method", "REQUEST");
        }

        mime.Body = body.ToMessageBody();
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", ct);
        }

        await client.SendAsync(mime, ct);
        await client.DisconnectAsync(true, ct);
    }
}

/// <summary>
/// Text messages through an HTTP gateway: POST {"to", "text"} with a bearer key. UK SMS providers
/// each have their own API; this one shape is what a small adapter in front of any of them takes.
/// </summary>
public sealed class HttpSmsSender(HttpClient http, MessagingOptions options) : IMessageSender
{
    public bool IsConfigured => options.CanSend(MessageChannel.Sms);

    public async Task SendAsync(OutboxMessage message, string optOutUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(options.Sms.GatewayUrl))
        {
            throw new InvalidOperationException("No SMS gateway is configured (Aftercare:Messaging:Sms:GatewayUrl).");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, options.Sms.GatewayUrl)
        {
            Content = JsonContent.Create(new { to = message.To, text = $"{message.Body} Stop: {optOutUrl}", reference = message.Id }),
        };
        if (!string.IsNullOrEmpty(options.Sms.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Sms.ApiKey);
        }

        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }
}
