namespace RegistryPush.Output;

/// <summary>
/// A writer whose every line is cleaned with <see cref="PrintableText.OneLine"/>: for command output made of values
/// read from outside (<c>auth check</c> prints user names, registry answers, token scopes), so that no value can add a
/// line or a terminal escape of its own. Only <see cref="WriteLine()"/> ends a line.
/// </summary>
public sealed class PrintableWriter(TextWriter inner) : TextWriter
{
    /// <inheritdoc />
    public override System.Text.Encoding Encoding => inner.Encoding;

    /// <inheritdoc />
    public override void Write(char value) => inner.Write(PrintableText.IsUnprintable(value) ? ' ' : value);

    /// <inheritdoc />
    public override void Write(string? value) => inner.Write(value is null ? null : PrintableText.OneLine(value));

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    /// <inheritdoc />
    public override void WriteLine() => inner.WriteLine();

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        Write(value);
        inner.WriteLine();
    }

    /// <inheritdoc />
    public override void Flush() => inner.Flush();
}
