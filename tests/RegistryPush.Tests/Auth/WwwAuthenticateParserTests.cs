using CsCheck;
using RegistryPush.Auth;

namespace RegistryPush.Tests.Auth;

public sealed class WwwAuthenticateParserTests
{
    [Fact]
    public void A_docker_hub_style_bearer_challenge_yields_realm_service_and_scope()
    {
        var challenges = WwwAuthenticateParser.Parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull,push\"");

        var challenge = challenges.ShouldHaveSingleItem();
        challenge.IsBearer.ShouldBeTrue();
        challenge["realm"].ShouldBe("https://auth.docker.io/token");
        challenge["service"].ShouldBe("registry.docker.io");
        challenge.Scopes.ShouldBe(["repository:library/alpine:pull,push"]);
    }

    [Fact]
    public void Scheme_and_parameter_names_match_case_insensitively_and_values_keep_their_case()
    {
        var challenge = WwwAuthenticateParser.Parse("bEaReR REALM=\"https://Example.com/Token\", Service=Reg").ShouldHaveSingleItem();

        challenge.IsBearer.ShouldBeTrue();
        challenge["realm"].ShouldBe("https://Example.com/Token");
        challenge["SERVICE"].ShouldBe("Reg");
    }

    [Fact]
    public void Commas_and_escaped_quotes_inside_quoted_strings_belong_to_the_value()
    {
        var challenge = WwwAuthenticateParser.Parse(
            "Bearer realm=\"https://t.example/token?a=1,b=2\", scope=\"repository:a:pull repository:b:pull,push\", error_description=\"say \\\"hi\\\", then \\\\ leave\"").ShouldHaveSingleItem();

        challenge["realm"].ShouldBe("https://t.example/token?a=1,b=2");
        challenge.Scopes.ShouldBe(["repository:a:pull", "repository:b:pull,push"]);
        challenge["error_description"].ShouldBe("say \"hi\", then \\ leave");
    }

    [Fact]
    public void Several_challenges_in_one_header_are_told_apart_by_a_token_without_equals_after_a_comma()
    {
        // The example of RFC 7235 section 4.1.
        var challenges = WwwAuthenticateParser.Parse(
            "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"");

        challenges.Count.ShouldBe(2);
        challenges[0].Scheme.ShouldBe("Newauth");
        challenges[0]["type"].ShouldBe("1");
        challenges[0]["title"].ShouldBe("Login to \"apps\"");
        challenges[1].IsBasic.ShouldBeTrue();
        challenges[1]["realm"].ShouldBe("simple");
    }

    [Fact]
    public void Challenges_from_several_header_fields_are_all_read()
    {
        var challenges = WwwAuthenticateParser.Parse(["Basic realm=\"r\"", "Bearer realm=\"https://t/token\""]);

        challenges.Select(static challenge => challenge.Scheme).ShouldBe(["Basic", "Bearer"]);
    }

    [Fact]
    public void Bearer_is_preferred_over_basic_whatever_the_order()
    {
        var challenges = WwwAuthenticateParser.Parse("Basic realm=\"r\", Bearer realm=\"https://t/token\", Negotiate");

        AuthChallenge.Preferred(challenges)!.IsBearer.ShouldBeTrue();
    }

    [Fact]
    public void Basic_is_chosen_when_bearer_has_no_realm_and_nothing_when_neither_is_offered()
    {
        AuthChallenge.Preferred(WwwAuthenticateParser.Parse("Bearer service=\"x\", Basic realm=\"r\""))!.IsBasic.ShouldBeTrue();
        AuthChallenge.Preferred(WwwAuthenticateParser.Parse("Negotiate abc==, NTLM")).ShouldBeNull();
    }

    [Fact]
    public void A_token68_challenge_keeps_its_padding()
    {
        var challenges = WwwAuthenticateParser.Parse("Negotiate a87421/+rstfg==, Basic realm=\"x\"");

        challenges[0].Token68.ShouldBe("a87421/+rstfg==");
        challenges[0].Parameters.ShouldBeEmpty();
        challenges[1].IsBasic.ShouldBeTrue();
    }

    [Fact]
    public void An_unquoted_url_value_is_read_up_to_the_next_comma()
    {
        var challenge = WwwAuthenticateParser.Parse("Bearer realm=https://ghcr.io/token,service=ghcr.io").ShouldHaveSingleItem();

        challenge["realm"].ShouldBe("https://ghcr.io/token");
        challenge["service"].ShouldBe("ghcr.io");
    }

    [Theory]
    [InlineData("")]
    [InlineData(",,, ,")]
    [InlineData("\"unterminated")]
    [InlineData("Bearer realm=\"unterminated")]
    [InlineData("Bearer ,,, realm")]
    [InlineData("=== , = ,Basic")]
    public void Malformed_headers_yield_what_can_be_read_without_throwing(string header)
    {
        var challenges = WwwAuthenticateParser.Parse(header);

        challenges.ShouldAllBe(challenge => challenge.Scheme.Length > 0);
    }

    [Fact]
    public void Property_rendered_challenges_parse_back_to_the_same_schemes_and_parameters()
    {
        GenChallenges.Sample(challenges =>
        {
            var header = Render(challenges);
            var parsed = WwwAuthenticateParser.Parse(header);

            parsed.Count.ShouldBe(challenges.Length, header);
            for (var i = 0; i < challenges.Length; i++)
            {
                parsed[i].Scheme.ShouldBe(challenges[i].Scheme, header);
                parsed[i].Parameters.Count.ShouldBe(challenges[i].Parameters.Length, header);
                foreach (var (name, value, _) in challenges[i].Parameters)
                {
                    // Names are looked up in another case than they were sent in.
                    parsed[i][SwapCase(name)].ShouldBe(value, header);
                }
            }
        }, iter: 2_000);
    }

    [Fact]
    public void Property_parsing_never_throws_and_only_yields_nonempty_token_schemes()
    {
        Gen.Char["Bearer realm=\"\\,= \t/+abc"].Array[0, 60].Select(static chars => new string(chars)).Sample(header =>
        {
            var parsed = WwwAuthenticateParser.Parse(header);
            parsed.ShouldAllBe(challenge => challenge.Scheme.Length > 0 && challenge.Scheme.All(IsTokenChar));
        }, iter: 5_000);

        Gen.String.Sample(header => WwwAuthenticateParser.Parse(header).ShouldNotBeNull(), iter: 2_000);
    }

    [Fact]
    public void Property_a_quoted_value_round_trips_whatever_it_holds()
    {
        Gen.Char[' ', '~'].Array[0, 40].Select(static chars => new string(chars)).Sample(value =>
        {
            var challenge = WwwAuthenticateParser.Parse($"Bearer realm={Quote(value)}, service=\"s\"").ShouldHaveSingleItem();
            challenge["realm"].ShouldBe(value);
            challenge["service"].ShouldBe("s");
        }, iter: 2_000);
    }

    private const string TokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

    private static readonly Gen<string> GenToken = Gen.Char[TokenChars].Array[1, 8].Select(static chars => new string(chars));

    // Printable ASCII plus a few characters that matter to the grammar.
    private static readonly Gen<string> GenValue = Gen.Char[' ', '~'].Array[0, 20].Select(static chars => new string(chars));

    private static readonly Gen<string> GenSpace = Gen.OneOf(Gen.Const(string.Empty), Gen.Const(" "), Gen.Const("  "), Gen.Const("\t"));

    private static readonly Gen<(string Name, string Value, bool Quoted)> GenParameter =
        Gen.Select(GenToken, GenValue, Gen.Bool, static (name, value, quoted) => (name, value, quoted || !value.All(IsTokenChar) || value.Length == 0));

    private static readonly Gen<TestChallenge> GenChallenge =
        Gen.Select(GenToken, GenParameter.Array[0, 4], GenSpace, GenSpace, static (scheme, parameters, before, after) =>
            new TestChallenge(scheme, parameters.DistinctBy(static p => p.Name, StringComparer.OrdinalIgnoreCase).ToArray(), before, after));

    private static readonly Gen<TestChallenge[]> GenChallenges = GenChallenge.Array[1, 4];

    private static string Render(TestChallenge[] challenges) => string.Join(",", challenges.Select(challenge =>
    {
        var parameters = challenge.Parameters.Select(p => $"{challenge.Before}{p.Name}{challenge.After}={challenge.After}{(p.Quoted ? Quote(p.Value) : p.Value)}");
        return challenge.Parameters.Length == 0
            ? $"{challenge.Before}{challenge.Scheme}"
            : $"{challenge.Before}{challenge.Scheme} {string.Join(",", parameters)}";
    }));

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static bool IsTokenChar(char c) => TokenChars.Contains(c, StringComparison.Ordinal);

    private static string SwapCase(string text) => new(text.Select(static c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)).ToArray());

    private sealed record TestChallenge(string Scheme, (string Name, string Value, bool Quoted)[] Parameters, string Before, string After)
    {
        public override string ToString() => $"{Scheme} [{string.Join(", ", Parameters.Select(static p => $"{p.Name}={p.Value}"))}]";
    }
}
