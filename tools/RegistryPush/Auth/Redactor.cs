using System.Collections.Concurrent;

namespace RegistryPush.Auth;

/// <summary>
/// Knows every secret a run has handled (passwords, tokens, and their base64 forms) and removes them from text that
/// came from outside, such as a token service's or a credential helper's error message, before it reaches a user.
/// One instance per run; thread-safe.
/// </summary>
public sealed class Redactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "[REDACTED]";

    // Secrets shorter than this are not scrubbed: replacing every "a" in a message would destroy it and hide nothing.
    private const int MinimumLength = 4;
    private readonly ConcurrentDictionary<string, byte> _secrets = new(StringComparer.Ordinal);

    /// <summary>Remembers <paramref name="secret"/> so that <see cref="Scrub"/> removes it.</summary>
    public void Add(string? secret)
    {
        if (secret is { Length: >= MinimumLength })
        {
            _secrets.TryAdd(secret, 0);
        }
    }

    /// <summary>Remembers every form of <paramref name="credential"/>'s secret.</summary>
    public void Add(RegistryCredential credential)
    {
        foreach (var form in credential.SecretForms())
        {
            Add(form);
        }
    }

    /// <summary><paramref name="text"/> with every known secret replaced by <see cref="Mask"/>, longest first.</summary>
    public string Scrub(string text)
    {
        if (_secrets.IsEmpty || string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var secret in _secrets.Keys.OrderByDescending(static secret => secret.Length))
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
