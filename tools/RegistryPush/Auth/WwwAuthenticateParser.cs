namespace RegistryPush.Auth;

/// <summary>
/// Parses <c>WWW-Authenticate</c> values per RFC 7235 §4.1 / RFC 9110 §11.6.1:
/// <c>1#challenge</c>, <c>challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]</c>,
/// <c>auth-param = token BWS "=" BWS ( token / quoted-string )</c>. Commas separate both challenges and
/// parameters; a list element is a parameter when its token is followed by <c>=</c>, otherwise it starts a new
/// challenge. Quoted strings may hold commas and backslash escapes. The parser is lenient and total: malformed
/// input yields the challenges it could read and never throws.
/// </summary>
public static class WwwAuthenticateParser
{
    /// <summary>Parses every header value (a response may send several <c>WWW-Authenticate</c> fields).</summary>
    public static IReadOnlyList<AuthChallenge> Parse(IEnumerable<string> headerValues) =>
        headerValues.SelectMany(Parse).ToList();

    /// <summary>Parses one header value.</summary>
    public static IReadOnlyList<AuthChallenge> Parse(string? header)
    {
        var challenges = new List<AuthChallenge>();
        if (string.IsNullOrEmpty(header))
        {
            return challenges;
        }

        var reader = new Reader(header);
        while (true)
        {
            reader.SkipListSeparators();
            if (reader.AtEnd)
            {
                return challenges;
            }

            var scheme = reader.ReadToken();
            if (scheme.Length == 0)
            {
                // Not a challenge: skip this list element.
                reader.SkipToComma();
                if (!reader.AtEnd)
                {
                    reader.Advance();
                }

                continue;
            }

            challenges.Add(ReadChallengeBody(ref reader, scheme));
        }
    }

    private static AuthChallenge ReadChallengeBody(ref Reader reader, string scheme)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        reader.SkipWhitespace();
        if (reader.AtEnd || reader.Current == ',')
        {
            return new AuthChallenge(scheme, parameters);
        }

        if (reader.TryReadToken68() is { } token68)
        {
            return new AuthChallenge(scheme, parameters, token68);
        }

        while (true)
        {
            reader.SkipListSeparators();
            if (reader.AtEnd)
            {
                break;
            }

            var nameStart = reader.Position;
            var name = reader.ReadToken();
            reader.SkipWhitespace();
            if (name.Length == 0 || reader.AtEnd || reader.Current != '=')
            {
                if (name.Length > 0 && reader.CommaBefore(nameStart))
                {
                    // "…, Basic realm=x": after a comma, a token without "=" begins the next challenge.
                    reader.Position = nameStart;
                    break;
                }

                // Garbage inside this challenge: skip to the next list element.
                reader.SkipToComma();
                continue;
            }

            reader.Advance(); // '='
            reader.SkipWhitespace();
            var value = reader.AtEnd ? string.Empty : reader.Current == '"' ? reader.ReadQuotedString() : reader.ReadBareValue();
            parameters.Add(new KeyValuePair<string, string>(name, value));
            reader.SkipWhitespace();
            if (!reader.AtEnd && reader.Current != ',')
            {
                // Junk after a value (e.g. text after a closing quote): drop it up to the next comma.
                reader.SkipToComma();
            }
        }

        return new AuthChallenge(scheme, parameters);
    }

    /// <summary>A cursor over the header text.</summary>
    private struct Reader(string text)
    {
        private readonly string _text = text;

        public int Position { get; set; }

        public readonly bool AtEnd => Position >= _text.Length;

        public readonly char Current => _text[Position];

        public void Advance() => Position++;

        public void SkipWhitespace()
        {
            while (!AtEnd && Current is ' ' or '\t')
            {
                Position++;
            }
        }

        /// <summary>Skips whitespace and commas (empty list elements are allowed).</summary>
        public void SkipListSeparators()
        {
            while (!AtEnd && Current is ' ' or '\t' or ',')
            {
                Position++;
            }
        }

        /// <summary>Moves to the next comma (not past it), or to the end.</summary>
        public void SkipToComma()
        {
            var index = _text.IndexOf(',', Position);
            Position = index < 0 ? _text.Length : index;
        }

        /// <summary>True when only whitespace separates <paramref name="position"/> from a comma before it.</summary>
        public readonly bool CommaBefore(int position)
        {
            for (var i = position - 1; i >= 0; i--)
            {
                if (_text[i] == ',')
                {
                    return true;
                }

                if (_text[i] is not (' ' or '\t'))
                {
                    return false;
                }
            }

            return false;
        }

        /// <summary>
        /// Reads an unquoted value. The grammar says token, but servers send unquoted URLs and the like; taking
        /// everything up to a comma or whitespace reads those as meant and is the same for real tokens.
        /// </summary>
        public string ReadBareValue()
        {
            var start = Position;
            while (!AtEnd && Current is not (',' or ' ' or '\t'))
            {
                Position++;
            }

            return _text[start..Position];
        }

        public string ReadToken()
        {
            var start = Position;
            while (!AtEnd && IsTokenChar(Current))
            {
                Position++;
            }

            return _text[start..Position];
        }

        /// <summary>Reads <c>token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="</c> when it is the whole element.</summary>
        public string? TryReadToken68()
        {
            var start = Position;
            var end = start;
            while (end < _text.Length && IsToken68Char(_text[end]))
            {
                end++;
            }

            if (end == start)
            {
                return null;
            }

            while (end < _text.Length && _text[end] == '=')
            {
                end++;
            }

            var after = end;
            while (after < _text.Length && _text[after] is ' ' or '\t')
            {
                after++;
            }

            if (after < _text.Length && _text[after] != ',')
            {
                return null;
            }

            Position = after;
            return _text[start..end];
        }

        /// <summary>Reads a quoted string starting at the opening quote; an unterminated one runs to the end.</summary>
        public string ReadQuotedString()
        {
            Position++; // opening quote
            var value = new System.Text.StringBuilder();
            while (!AtEnd)
            {
                var c = Current;
                Position++;
                if (c == '"')
                {
                    return value.ToString();
                }

                if (c == '\\' && !AtEnd)
                {
                    c = Current;
                    Position++;
                }

                value.Append(c);
            }

            return value.ToString();
        }

        // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        private static bool IsTokenChar(char c) =>
            char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

        private static bool IsToken68Char(char c) =>
            char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/';
    }
}
