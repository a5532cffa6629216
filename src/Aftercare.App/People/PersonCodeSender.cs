using System.Net.Http.Headers;
using System.Net.Http.Json;
using Aftercare.App.Messaging;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.People;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Aftercare.App.People;

/// <summary>
/// Sends a person their one-time sign-in code, at once and not through the outbox: the outbox keeps
/// what it sends (encrypted), and a code is kept only as its hash. The same SMTP server and SMS
/// gateway as caring messages (<see cref="MessagingOptions"/>); no opt-out line, as this is not one.
/// </summary>
public sealed class PersonCodeSender(HttpClient http, MessagingOptions options)
{
    /// <summary>The words: no name, nothing about the service beyond its name.</summary>
    public static string Text(string digits) =>
        $"Your Aftercare sign-in code is {digits}. It works for 10 minutes. If you did not ask for it, you can ignore this message.";

    public bool CanSend(PersonSignInMethod method) =>
        options.CanSend(method == PersonSignInMethod.TextCode ? MessageChannel.Sms : MessageChannel.Email);

    public async Task SendAsync(PersonSignInMethod method, string to, string digits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(to);
        if (method == PersonSignInMethod.TextCode)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, options.Sms.GatewayUrl)
            {
                Content = JsonContent.Create(new { to, text = Text(digits) }),
            };
            if (!string.IsNullOrEmpty(options.Sms.ApiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Sms.ApiKey);
            }

            using var response = await http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            return;
        }

        var smtp = options.Smtp;
        var mime = new MimeMessage { Subject = "Your sign-in code" };
        mime.From.Add(new MailboxAddress(smtp.FromName, smtp.From));
        mime.To.Add(MailboxAddress.Parse(to));
        mime.Body = new TextPart("plain") { Text = Text(digits) + "\n" };
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("No SMTP server is configured (Aftercare:Messaging:Smtp:Host)."), smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", ct);
        }

        await client.SendAsync(mime, ct);
        await client.DisconnectAsync(true, ct);
    }
}
