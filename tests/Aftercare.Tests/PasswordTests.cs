using Aftercare.App.Users;

namespace Aftercare.Tests;

public sealed class PasswordTests
{
    [Fact]
    public void Generated_passwords_always_meet_every_password_rule()
    {
        // A password rule broken by chance once stopped demo seeding: this draws many.
        for (var i = 0; i < 2000; i++)
        {
            var password = AddUser.GeneratePassword();
            Assert.True(password.Length >= 12 && password.Any(char.IsAsciiLetterUpper) && password.Any(char.IsAsciiLetterLower)
                && password.Any(char.IsAsciiDigit) && password.Any(c => !char.IsAsciiLetterOrDigit(c)), password);
        }
    }
}
