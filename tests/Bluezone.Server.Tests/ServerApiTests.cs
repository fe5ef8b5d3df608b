using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Bluezone.Protocol.Contacts;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bluezone.Server.Tests;

/// <summary>
/// The server over real HTTP, the same suite on each database provider (one sealed subclass per provider).
/// Tests of a class run one after another against the fixture's server; each counts rows before and after itself.
/// </summary>
public abstract class ServerApiTests<TFixture>(TFixture fixture)
    where TFixture : ServerFixture
{
    protected TFixture Fixture { get; } = fixture;

    protected ApiClient Api => new(Fixture.Client, Fixture.ApiKey);

    protected DateTimeOffset Now => Fixture.Time.GetUtcNow();

    protected DateOnly Today => IntervalNumber.FromTime(Now).Day;

    [Fact]
    public async Task Health_metrics_and_OpenAPI_are_served()
    {
        Assert.Equal("Healthy", await Fixture.Client.GetStringAsync("/healthz"));
        var openApi = JsonNode.Parse(await Fixture.Client.GetStringAsync("/openapi/v1.json"))!;
        var paths = openApi["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/v1/publish", paths);
        Assert.Contains("/v1/publish/recursive", paths);
        Assert.Contains("/v1/exports/index.txt", paths);
        Assert.Equal("Bluezone server", (string)openApi["info"]!["title"]!);
        Assert.Equal("bearer", (string)openApi["components"]!["securitySchemes"]!["uploadToken"]!["scheme"]!);
        Assert.NotNull(openApi["paths"]!["/v1/publish"]!["post"]!["security"]);
        Assert.Equal(30, (int)openApi["components"]!["schemas"]!["PublishRequest"]!["properties"]!["keys"]!["maxItems"]!);

        await Fixture.Client.GetStringAsync("/v1/community");
        var metrics = await Fixture.Client.GetStringAsync("/metrics");
        Assert.Contains("http_server_request_duration", metrics);
    }

    [Fact]
    public async Task F0_path_issue_verify_publish_then_a_signed_export_holds_the_keys_as_confirmed()
    {
        var onset = Today.AddDays(-4);
        var token = await Api.NewUploadTokenAsync(Today.AddDays(-1), onset);

        // Eight days of keys; the infectious window starts two days before onset, so the two oldest are dropped.
        var keys = ApiClient.KeysForDays(Now, daysAgo: 1, days: 8);
        var heard = Enumerable.Range(0, 100).Select(_ => RandomNumberGenerator.GetBytes(16)).ToList();
        var response = await ApiClient.OkJsonAsync(await Api.PublishAsync(token, ApiClient.Body(keys, heard)));
        Assert.Equal(6, (int)response["inserted"]!);

        var inWindow = keys.Where(k => k.Day >= onset.AddDays(-2)).ToList();
        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, inWindow.Select(k => k.KeyData.ToArray()));
        var exported = await PublishedExports.DownloadAllAsync(Fixture.Client);
        foreach (var key in inWindow)
        {
            var found = Assert.Single(exported, e => e.Key.Key.KeyData.SequenceEqual(key.KeyData));
            Assert.Equal(ReportType.ConfirmedTest, found.Key.ReportType);
            Assert.Equal(key.Day.DayNumber - onset.DayNumber, found.Key.DaysSinceOnsetOfSymptoms);
            Assert.Equal(key.RollingStartIntervalNumber, found.Key.Key.RollingStartIntervalNumber);
            Assert.Equal("VN", found.Export.Batch.Region);
            Assert.Equal("452", found.Export.Batch.SignatureInfos[0].VerificationKeyId);
            Assert.Equal("v1", found.Export.Batch.SignatureInfos[0].VerificationKeyVersion);

            // Padded to the minimum, and sorted by key bytes so the order reveals nothing.
            var fileKeys = exported.Where(e => e.File == found.File).Select(e => e.Key.Key.KeyData.ToArray()).ToList();
            Assert.True(fileKeys.Count >= ServerFixture.MinExportKeys, $"{found.File} holds {fileKeys.Count} keys");
            Assert.Equal(fileKeys.OrderBy(k => k, ByteOrder.Instance).Select(Convert.ToHexString), fileKeys.Select(Convert.ToHexString));
        }

        foreach (var dropped in keys.Except(inWindow))
        {
            Assert.DoesNotContain(exported, e => e.Key.Key.KeyData.SequenceEqual(dropped.KeyData));
        }
    }

    [Fact]
    public async Task An_export_signature_verifies_with_openssl_against_the_served_public_key()
    {
        var key = ApiClient.KeysForDays(Now, 1, 1);
        await ApiClient.OkJsonAsync(await Api.PublishAsync(await Api.NewUploadTokenAsync(Today), ApiClient.Body(key)));
        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, [key[0].KeyData.ToArray()]);
        var export = (await PublishedExports.DownloadAllAsync(Fixture.Client)).Last(e => e.Key.Key.KeyData.SequenceEqual(key[0].KeyData)).Export;

        var directory = Directory.CreateTempSubdirectory("bluezone-openssl-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "export.bin"), export.ExportBin.ToArray());
            await File.WriteAllBytesAsync(Path.Combine(directory, "signature.der"), export.Signatures[0].Signature.ToArray());
            await File.WriteAllTextAsync(Path.Combine(directory, "public.pem"), await Fixture.Client.GetStringAsync("/v1/exports/public-key.pem"));
            var (verified, output) = Bluezone.Tests.OpenSsl.Check("dgst", "-sha256", "-verify", Path.Combine(directory, "public.pem"),
                "-signature", Path.Combine(directory, "signature.der"), Path.Combine(directory, "export.bin"));
            Assert.True(verified, output);
            Assert.Contains("Verified OK", output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_publisher_lease_has_one_holder_until_it_expires_or_is_released()
    {
        var lease = TimeSpan.FromSeconds(30);
        var now = Now + TimeSpan.FromDays(365); // later than any lease the running publisher took
        await Fixture.Server.QueryAsync(async db =>
        {
            Assert.True(await Exports.ExportLease.TryAcquireAsync(db, "a", now, lease, CancellationToken.None));
            Assert.False(await Exports.ExportLease.TryAcquireAsync(db, "b", now + TimeSpan.FromSeconds(29), lease, CancellationToken.None));
            Assert.True(await Exports.ExportLease.TryAcquireAsync(db, "a", now + TimeSpan.FromSeconds(29), lease, CancellationToken.None)); // renewed
            Assert.False(await Exports.ExportLease.TryAcquireAsync(db, "b", now + TimeSpan.FromSeconds(58), lease, CancellationToken.None));
            Assert.True(await Exports.ExportLease.TryAcquireAsync(db, "b", now + TimeSpan.FromSeconds(60), lease, CancellationToken.None)); // expired: taken over
            Assert.False(await Exports.ExportLease.TryAcquireAsync(db, "a", now + TimeSpan.FromSeconds(61), lease, CancellationToken.None));
            await Exports.ExportLease.ReleaseAsync(db, "b", CancellationToken.None);
            Assert.True(await Exports.ExportLease.TryAcquireAsync(db, "a", now + TimeSpan.FromSeconds(62), lease, CancellationToken.None));
            await Exports.ExportLease.ReleaseAsync(db, "a", CancellationToken.None);
            return 0;
        });

        // Concurrent takers of a free lease: exactly one wins.
        var factory = (Microsoft.EntityFrameworkCore.IDbContextFactory<Storage.BluezoneDbContext>)Fixture.Server.Services.GetService(typeof(Microsoft.EntityFrameworkCore.IDbContextFactory<Storage.BluezoneDbContext>))!;
        var later = now + TimeSpan.FromHours(1);
        var winners = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            await using var db = await factory.CreateDbContextAsync();
            return await Exports.ExportLease.TryAcquireAsync(db, $"racer-{i}", later, lease, CancellationToken.None);
        }));
        Assert.Equal(1, winners.Count(w => w));
        await Fixture.Server.QueryAsync(db => db.Leases.ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, (string?)null).SetProperty(l => l.ExpiresAt, DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public async Task The_migrations_match_the_model()
    {
        Assert.False(await Fixture.Server.QueryAsync(db => Task.FromResult(db.Database.HasPendingModelChanges())));
        Assert.Empty(await Fixture.Server.QueryAsync(db => db.Database.GetPendingMigrationsAsync()));
    }

    [Fact]
    public async Task A_key_still_valid_today_is_held_until_it_expires()
    {
        var token = await Api.NewUploadTokenAsync(Today);
        var todayKey = TemporaryExposureKey.Generate(IntervalNumber.FromTime(Now));
        var yesterdayKey = ApiClient.KeysForDays(Now, daysAgo: 1, days: 1)[0];
        await ApiClient.OkJsonAsync(await Api.PublishAsync(token, ApiClient.Body([todayKey, yesterdayKey])));

        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, [yesterdayKey.KeyData.ToArray()]);
        var exported = await PublishedExports.DownloadAllAsync(Fixture.Client);
        Assert.DoesNotContain(exported, e => e.Key.Key.KeyData.SequenceEqual(todayKey.KeyData));

        // Once the day is over the key has expired on the phone, and the next batch carries it.
        Fixture.Time.SetUtcNow(todayKey.ExpiryIntervalNumber.StartTime);
        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, [todayKey.KeyData.ToArray()]);
        exported = await PublishedExports.DownloadAllAsync(Fixture.Client);
        Assert.Single(exported, e => e.Key.Key.KeyData.SequenceEqual(todayKey.KeyData));
    }

    [Fact]
    public async Task F1_with_a_contact_proof_publishes_its_keys_from_the_proven_day_on_as_recursive()
    {
        // The F1's phone, five days of keys; on day -3 an F0's phone heard it close by.
        var f1Keys = ApiClient.KeysForDays(Now, daysAgo: 1, days: 5);
        var contactKey = f1Keys.Single(k => k.Day == Today.AddDays(-3));
        var heardRpi = KeySchedule.ComputeRollingProximityIdentifier(
            KeySchedule.DeriveRollingProximityIdentifierKey(contactKey.KeyData), contactKey.RollingStartIntervalNumber + 60);
        var heard = new List<byte[]> { HeardToken.FromRollingProximityIdentifier(heardRpi).ToArray(), RandomNumberGenerator.GetBytes(16) };

        var f0Token = await Api.NewUploadTokenAsync(Today);
        await ApiClient.OkJsonAsync(await Api.PublishAsync(f0Token, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 2), heard)));

        var response = await ApiClient.OkJsonAsync(await Api.PublishRecursiveAsync(ApiClient.Body(f1Keys)));
        var kept = f1Keys.Where(k => k.Day >= Today.AddDays(-3)).ToList();
        Assert.Equal(kept.Count, (int)response["inserted"]!);

        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, kept.Select(k => k.KeyData.ToArray()));
        var exported = await PublishedExports.DownloadAllAsync(Fixture.Client);
        foreach (var key in kept)
        {
            var published = Assert.Single(exported, e => e.Key.Key.KeyData.SequenceEqual(key.KeyData)).Key;
            Assert.Equal(ReportType.Recursive, published.ReportType);
            Assert.Null(published.DaysSinceOnsetOfSymptoms); // no known onset: phones weigh it 1
        }

        foreach (var before in f1Keys.Except(kept))
        {
            Assert.DoesNotContain(exported, e => e.Key.Key.KeyData.SequenceEqual(before.KeyData));
        }
    }

    [Fact]
    public async Task F1_without_a_contact_proof_is_refused_and_nothing_is_stored()
    {
        var before = await RowCounts.ReadAsync(Fixture.Server);
        var response = await Api.PublishRecursiveAsync(ApiClient.Body(ApiClient.KeysForDays(Now, 1, 5)));
        await ApiClient.AssertErrorAsync(response, HttpStatusCode.Forbidden, "contact_proof_failed");
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));
    }

    [Fact]
    public async Task F1_heard_before_the_F0s_infectious_window_is_refused()
    {
        var f1Key = ApiClient.KeysForDays(Now, daysAgo: 6, days: 1)[0];
        var rpi = KeySchedule.ComputeRollingProximityIdentifier(KeySchedule.DeriveRollingProximityIdentifierKey(f1Key.KeyData), f1Key.RollingStartIntervalNumber + 10);

        // Onset 2 days ago: the window starts 4 days ago, after the contact.
        var f0Token = await Api.NewUploadTokenAsync(Today, onset: Today.AddDays(-2));
        await ApiClient.OkJsonAsync(await Api.PublishAsync(f0Token, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 1), [HeardToken.FromRollingProximityIdentifier(rpi).ToArray()])));

        var before = await RowCounts.ReadAsync(Fixture.Server);
        await ApiClient.AssertErrorAsync(await Api.PublishRecursiveAsync(ApiClient.Body([f1Key])), HttpStatusCode.Forbidden, "contact_proof_failed");
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));
    }

    [Fact]
    public async Task Fifty_parallel_verifies_of_one_code_give_exactly_one_token()
    {
        var code = (string)(await Api.IssueCodeAsync(Today))["code"]!;
        var before = await RowCounts.ReadAsync(Fixture.Server);
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Api.VerifyAsync(code)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await ApiClient.AssertErrorAsync(refused, HttpStatusCode.Conflict, "code_claimed");
        }

        var after = await RowCounts.ReadAsync(Fixture.Server);
        Assert.Equal(before.Tokens + 1, after.Tokens);
        Assert.Equal(before.ClaimedCodes + 1, after.ClaimedCodes);
    }

    [Fact]
    public async Task Twenty_parallel_publishes_with_one_token_store_exactly_one_upload()
    {
        var token = await Api.NewUploadTokenAsync(Today);
        var before = await RowCounts.ReadAsync(Fixture.Server);
        var uploads = Enumerable.Range(0, 20).Select(_ => ApiClient.KeysForDays(Now, 1, 2)).ToList();
        var responses = await Task.WhenAll(uploads.Select(keys => Api.PublishAsync(token, ApiClient.Body(keys))));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await ApiClient.AssertErrorAsync(refused, HttpStatusCode.Conflict, "token_used");
        }

        var after = await RowCounts.ReadAsync(Fixture.Server);
        Assert.Equal(before.Keys + 2, after.Keys);
        Assert.Equal(before.UsedTokens + 1, after.UsedTokens);
    }

    [Fact]
    public async Task Parallel_uploads_of_the_same_keys_in_different_orders_store_them_once_and_refuse_the_rest()
    {
        var keys = ApiClient.KeysForDays(Now, 1, 6);
        var before = await RowCounts.ReadAsync(Fixture.Server);
        await RaceConfirmedUploadsAsync(keys);

        var after = await RowCounts.ReadAsync(Fixture.Server);
        Assert.Equal(before.Keys + keys.Count, after.Keys);
        Assert.Equal(before.UsedTokens + 1, after.UsedTokens);
    }

    [Theory]
    [InlineData("wrong_key_length", "invalid_key_length")]
    [InlineData("31_keys", "too_many_keys")]
    [InlineData("no_keys", "no_keys")]
    [InlineData("rolling_period_0", "invalid_rolling_period")]
    [InlineData("rolling_period_145", "invalid_rolling_period")]
    [InlineData("misaligned_start", "misaligned_rolling_start")]
    [InlineData("future_key", "key_in_future")]
    [InlineData("key_15_days_old", "key_too_old")]
    [InlineData("duplicate_keys", "duplicate_keys")]
    [InlineData("invalid_base64_key", "invalid_base64")]
    [InlineData("invalid_base64_heard_token", "invalid_base64")]
    [InlineData("heard_token_length", "invalid_heard_token_length")]
    [InlineData("50001_heard_tokens", "too_many_heard_tokens")]
    [InlineData("unknown_field", "malformed_request")]
    [InlineData("unknown_field_in_key", "malformed_request")]
    [InlineData("wrong_type", "malformed_request")]
    [InlineData("not_json", "malformed_request")]
    public async Task A_bad_upload_is_refused_with_a_stable_code_and_stores_nothing(string mistake, string error)
    {
        var token = await Api.NewUploadTokenAsync(Today);
        var before = await RowCounts.ReadAsync(Fixture.Server);
        var good = ApiClient.KeysForDays(Now, 1, 1);
        var body = ApiClient.Body(good);
        var keys = body["keys"]!.AsArray();
        string? raw = null;
        switch (mistake)
        {
            case "wrong_key_length": keys[0]!["key"] = Convert.ToBase64String(new byte[15]); break;
            case "31_keys": body = ApiClient.Body(Enumerable.Range(0, 31).Select(_ => TemporaryExposureKey.Generate(IntervalNumber.FromTime(Now) - 144))); break;
            case "no_keys": keys.Clear(); break;
            case "rolling_period_0": keys[0]!["rollingPeriod"] = 0; break;
            case "rolling_period_145": keys[0]!["rollingPeriod"] = 145; break;
            case "misaligned_start": keys[0]!["rollingStartIntervalNumber"] = good[0].RollingStartIntervalNumber.Value + 1; break;
            case "future_key": keys[0]!["rollingStartIntervalNumber"] = IntervalNumber.FirstOfDay(Today.AddDays(1)).Value; break;
            case "key_15_days_old": keys[0]!["rollingStartIntervalNumber"] = IntervalNumber.FirstOfDay(Today.AddDays(-15)).Value; break;
            case "duplicate_keys": keys.Add(ApiClient.KeyJson(good[0])); break;
            case "invalid_base64_key": keys[0]!["key"] = "not*base64!"; break;
            case "invalid_base64_heard_token": body["heardTokens"] = new JsonArray("%%%"); break;
            case "heard_token_length": body["heardTokens"] = new JsonArray(Convert.ToBase64String(new byte[17])); break;
            case "50001_heard_tokens":
                var token16 = Convert.ToBase64String(new byte[16]);
                body["heardTokens"] = new JsonArray([.. Enumerable.Range(0, 50_001).Select(_ => (JsonNode)JsonValue.Create(token16))]);
                break;
            case "unknown_field": body["contacts"] = "x"; break;
            case "unknown_field_in_key": keys[0]!["transmissionRisk"] = 3; break;
            case "wrong_type": keys[0]!["rollingPeriod"] = "a day"; break;
            case "not_json": raw = "{\"keys\": [ {"; break;
        }

        var response = raw is null ? await Api.PublishAsync(token, body) : await Api.PostRawAsync("/v1/publish", raw, token);
        await ApiClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, error);
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));

        // The token was not spent by the refused request.
        await ApiClient.OkJsonAsync(await Api.PublishAsync(token, ApiClient.Body(good)));
    }

    [Fact]
    public async Task What_the_framework_refuses_gets_the_same_error_shape_and_stores_nothing()
    {
        var token = await Api.NewUploadTokenAsync(Today);
        var before = await RowCounts.ReadAsync(Fixture.Server);
        using (var text = new HttpRequestMessage(HttpMethod.Post, "/v1/verify") { Content = new StringContent("{\"code\":\"12345678\"}", System.Text.Encoding.UTF8, "text/plain") })
        {
            await ApiClient.AssertErrorAsync(await Fixture.Client.SendAsync(text), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        }

        await ApiClient.AssertErrorAsync(await Api.PostRawAsync("/v1/publish", "", token), HttpStatusCode.BadRequest, "malformed_request");
        await ApiClient.AssertErrorAsync(await Api.PostRawAsync("/v1/publish", "null", token), HttpStatusCode.BadRequest, "malformed_request");
        var key = ApiClient.KeyJson(ApiClient.KeysForDays(Now, 1, 1)[0]).ToJsonString();
        await ApiClient.AssertErrorAsync(await Api.PostRawAsync("/v1/publish", $"{{\"keys\":[{key}],\"keys\":[{key}]}}", token), HttpStatusCode.BadRequest, "malformed_request");
        await ApiClient.AssertErrorAsync(await Api.PostRawAsync("/v1/publish", "{\"keys\":[{\"key\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"rollingStartIntervalNumber\":99999999999,\"rollingPeriod\":144}]}", token), HttpStatusCode.BadRequest, "malformed_request");
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));
    }

    [Fact]
    public async Task An_oversize_body_is_refused_with_413_and_stores_nothing()
    {
        var token = await Api.NewUploadTokenAsync(Today);
        var before = await RowCounts.ReadAsync(Fixture.Server);
        var body = ApiClient.Body(ApiClient.KeysForDays(Now, 1, 1));
        body["padding"] = Convert.ToBase64String(new byte[3 * 1024 * 1024]);
        await ApiClient.AssertErrorAsync(await SendWaitingForContinueAsync("/v1/publish", body.ToJsonString(), token), HttpStatusCode.RequestEntityTooLarge, "body_too_large");

        // A small endpoint has a small limit.
        var verify = await SendWaitingForContinueAsync("/v1/verify", "{\"code\":\"" + new string('1', 20_000) + "\"}", null);
        await ApiClient.AssertErrorAsync(verify, HttpStatusCode.RequestEntityTooLarge, "body_too_large");

        // A chunked body declares no length; it is cut off at the limit with the same answer.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/verify")
        {
            Content = new StringContent("{\"code\":\"" + new string('1', 20_000) + "\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        chunked.Headers.TransferEncodingChunked = true;
        await ApiClient.AssertErrorAsync(await Fixture.Client.SendAsync(chunked), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));
    }

    [Fact]
    public async Task Expired_claimed_unknown_and_malformed_codes_are_refused_and_store_nothing()
    {
        var expiring = await Api.IssueCodeAsync(Today);
        var claimed = await Api.IssueCodeAsync(Today);
        await ApiClient.OkJsonAsync(await Api.VerifyAsync((string)claimed["code"]!));
        Fixture.Time.Advance(TimeSpan.FromMinutes(61));
        var before = await RowCounts.ReadAsync(Fixture.Server);

        await ApiClient.AssertErrorAsync(await Api.VerifyAsync((string)expiring["code"]!), HttpStatusCode.Gone, "code_expired");
        await ApiClient.AssertErrorAsync(await Api.VerifyAsync((string)claimed["code"]!), HttpStatusCode.Conflict, "code_claimed");
        await ApiClient.AssertErrorAsync(await Api.VerifyAsync((string)claimed["longCode"]!), HttpStatusCode.Conflict, "code_claimed");
        await ApiClient.AssertErrorAsync(await Api.VerifyAsync("12345678"), HttpStatusCode.NotFound, "code_unknown");
        await ApiClient.AssertErrorAsync(await Api.VerifyAsync("1234"), HttpStatusCode.BadRequest, "code_malformed");
        await ApiClient.AssertErrorAsync(await Api.PostRawAsync("/v1/verify", "{\"code\":12345678}"), HttpStatusCode.BadRequest, "malformed_request");
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));

        // The long form lives 24 hours: still good after the short one expired.
        var longCode = (string)expiring["longCode"]!;
        var spaced = string.Join('-', longCode.Chunk(4).Select(c => new string(c))).ToLowerInvariant();
        await ApiClient.OkJsonAsync(await Api.VerifyAsync(spaced));
    }

    [Fact]
    public async Task Reused_unknown_missing_and_expired_tokens_are_refused_and_store_nothing()
    {
        var used = await Api.NewUploadTokenAsync(Today);
        await ApiClient.OkJsonAsync(await Api.PublishAsync(used, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 1))));
        var expiring = await Api.NewUploadTokenAsync(Today);
        var before = await RowCounts.ReadAsync(Fixture.Server);

        await ApiClient.AssertErrorAsync(await Api.PublishAsync(used, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 1))), HttpStatusCode.Conflict, "token_used");
        await ApiClient.AssertErrorAsync(await Api.PublishAsync("bm90LWEtdG9rZW4", ApiClient.Body(ApiClient.KeysForDays(Now, 1, 1))), HttpStatusCode.Unauthorized, "token_unknown");
        await ApiClient.AssertErrorAsync(await Api.PublishAsync(null, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 1))), HttpStatusCode.Unauthorized, "token_missing");

        Fixture.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await ApiClient.AssertErrorAsync(await Api.PublishAsync(expiring, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 1))), HttpStatusCode.Unauthorized, "token_expired");
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));
    }

    [Fact]
    public async Task A_key_published_twice_is_refused_the_second_time_and_the_token_stays_unspent()
    {
        var keys = ApiClient.KeysForDays(Now, 1, 2);
        await ApiClient.OkJsonAsync(await Api.PublishAsync(await Api.NewUploadTokenAsync(Today), ApiClient.Body(keys)));
        var second = await Api.NewUploadTokenAsync(Today);
        var before = await RowCounts.ReadAsync(Fixture.Server);
        await ApiClient.AssertErrorAsync(await Api.PublishAsync(second, ApiClient.Body([keys[1], .. ApiClient.KeysForDays(Now, 3, 1)])), HttpStatusCode.Conflict, "key_already_published");
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));
        await ApiClient.OkJsonAsync(await Api.PublishAsync(second, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 1))));
    }

    [Fact]
    public async Task An_F1_who_tests_positive_publishes_its_recursive_keys_again_as_confirmed_and_only_once()
    {
        // An F0 heard the F1's key of day −3; the F1 uploads days −3 and −2 recursively; both are exported.
        var f1Keys = ApiClient.KeysForDays(Now, daysAgo: 2, days: 2);
        await PublishF0WhoHeardAsync(f1Keys[^1]);
        Assert.Equal(2, (int)(await ApiClient.OkJsonAsync(await Api.PublishRecursiveAsync(ApiClient.Body(f1Keys))))["inserted"]!);
        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, f1Keys.Select(k => k.KeyData.ToArray()), reportType: (int)ReportType.Recursive);
        var filesBefore = (await Api.IndexAsync()).Length;

        // The F1 tests positive (onset yesterday): its confirmed upload, the same two keys and today's, is accepted …
        var onset = Today.AddDays(-1);
        var confirmedKeys = f1Keys.Append(ApiClient.KeysForDays(Now, daysAgo: 1, days: 1)[0]).ToList();
        var token = await Api.NewUploadTokenAsync(Today, onset);
        Assert.Equal(3, (int)(await ApiClient.OkJsonAsync(await Api.PublishAsync(token, ApiClient.Body(confirmedKeys))))["inserted"]!);

        // … and the next export carries them as CONFIRMED_TEST with their days since onset, in a later file than the
        // recursive copies, which stay where they were.
        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, confirmedKeys.Select(k => k.KeyData.ToArray()), reportType: (int)ReportType.ConfirmedTest);
        var index = await Api.IndexAsync();
        var exported = await PublishedExports.DownloadAllAsync(Fixture.Client);
        foreach (var key in f1Keys)
        {
            var copies = exported.Where(e => e.Key.Key.KeyData.SequenceEqual(key.KeyData)).ToList();
            Assert.Equal(2, copies.Count);
            var recursive = Assert.Single(copies, c => c.Key.ReportType == ReportType.Recursive);
            var confirmed = Assert.Single(copies, c => c.Key.ReportType == ReportType.ConfirmedTest);
            Assert.Equal(key.Day.DayNumber - onset.DayNumber, confirmed.Key.DaysSinceOnsetOfSymptoms);
            Assert.True(Array.IndexOf(index, recursive.File) < filesBefore, recursive.File);
            Assert.True(Array.IndexOf(index, confirmed.File) >= filesBefore, confirmed.File);
        }

        // A second confirmed upload of any of these keys is refused whole, with the token left unspent; so is a
        // recursive copy of a key that is now confirmed.
        var second = await Api.NewUploadTokenAsync(Today, onset);
        var before = await RowCounts.ReadAsync(Fixture.Server);
        await ApiClient.AssertErrorAsync(await Api.PublishAsync(second, ApiClient.Body([f1Keys[0], .. ApiClient.KeysForDays(Now, 4, 1)])), HttpStatusCode.Conflict, "key_already_published");
        await ApiClient.AssertErrorAsync(await Api.PublishAsync(second, ApiClient.Body([confirmedKeys[^1]])), HttpStatusCode.Conflict, "key_already_published");
        await ApiClient.AssertErrorAsync(await Api.PublishRecursiveAsync(ApiClient.Body([f1Keys[^1]])), HttpStatusCode.Conflict, "key_already_published");
        await ApiClient.AssertErrorAsync(await Api.PublishRecursiveAsync(ApiClient.Body([ApiClient.KeysForDays(Now, 0, 1)[0], f1Keys[^1]])), HttpStatusCode.Conflict, "key_already_published");
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));
        await ApiClient.OkJsonAsync(await Api.PublishAsync(second, ApiClient.Body(ApiClient.KeysForDays(Now, 4, 1))));
    }

    [Fact]
    public async Task A_recursive_key_not_exported_yet_is_replaced_by_its_confirmed_copy_and_parallel_upgrades_store_it_once()
    {
        var f1Keys = ApiClient.KeysForDays(Now, daysAgo: 1, days: 3);
        await PublishF0WhoHeardAsync(f1Keys[^1]);
        await ApiClient.OkJsonAsync(await Api.PublishRecursiveAsync(ApiClient.Body(f1Keys)));

        // Before any batch, ten confirmed uploads of the same keys (different tokens, different orders) race.
        var before = await RowCounts.ReadAsync(Fixture.Server);
        await RaceConfirmedUploadsAsync(f1Keys);

        // The confirmed rows replaced the unexported recursive ones: as many keys as before, one token spent.
        var after = await RowCounts.ReadAsync(Fixture.Server);
        Assert.Equal(before.Keys, after.Keys);
        Assert.Equal(before.UsedTokens + 1, after.UsedTokens);

        // So the export lists each key once, as confirmed: no file names a key twice.
        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, f1Keys.Select(k => k.KeyData.ToArray()), reportType: (int)ReportType.ConfirmedTest);
        var exported = await PublishedExports.DownloadAllAsync(Fixture.Client);
        foreach (var key in f1Keys)
        {
            Assert.Equal(ReportType.ConfirmedTest, Assert.Single(exported, e => e.Key.Key.KeyData.SequenceEqual(key.KeyData)).Key.ReportType);
        }
    }

    /// <summary>Ten confirmed uploads of the same keys, each with its own token, half in reverse order, at once: one wins, the rest get 409.</summary>
    private async Task RaceConfirmedUploadsAsync(IReadOnlyList<TemporaryExposureKey> keys)
    {
        var tokens = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Api.NewUploadTokenAsync(Today)));
        var responses = await Task.WhenAll(tokens.Select((token, i) =>
            Api.PublishAsync(token, ApiClient.Body(i % 2 == 0 ? keys : Enumerable.Reverse(keys)))));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await ApiClient.AssertErrorAsync(refused, HttpStatusCode.Conflict, "key_already_published");
        }
    }

    /// <summary>A fresh F0 whose upload carries the heard token of an RPI of <paramref name="heardKey"/> (a contact proof for it).</summary>
    private async Task PublishF0WhoHeardAsync(TemporaryExposureKey heardKey)
    {
        var rpi = KeySchedule.ComputeRollingProximityIdentifier(KeySchedule.DeriveRollingProximityIdentifierKey(heardKey.KeyData), heardKey.RollingStartIntervalNumber + 40);
        var token = await Api.NewUploadTokenAsync(Today);
        await ApiClient.OkJsonAsync(await Api.PublishAsync(token, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 1), [HeardToken.FromRollingProximityIdentifier(rpi).ToArray()])));
    }

    [Fact]
    public async Task Authority_calls_need_a_valid_API_key_and_a_code_reports_its_status()
    {
        var body = new JsonObject { ["caseRef"] = "HN-1", ["testDate"] = Today.ToString("yyyy-MM-dd"), ["reportType"] = "confirmed" };
        var before = await RowCounts.ReadAsync(Fixture.Server);
        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Post, "/v1/authority/codes", body), HttpStatusCode.Unauthorized, "api_key_invalid");
        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Post, "/v1/authority/codes", body, headers: [("X-API-Key", "bzk_wrong")]), HttpStatusCode.Unauthorized, "api_key_invalid");
        var auth = new[] { ("X-API-Key", Fixture.ApiKey) };
        var badType = body.DeepClone();
        badType["reportType"] = "self";
        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Post, "/v1/authority/codes", badType, headers: auth), HttpStatusCode.BadRequest, "invalid_report_type");
        var badDate = body.DeepClone();
        badDate["testDate"] = Today.AddDays(1).ToString("yyyy-MM-dd");
        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Post, "/v1/authority/codes", badDate, headers: auth), HttpStatusCode.BadRequest, "invalid_test_date");
        var noCase = body.DeepClone();
        noCase["caseRef"] = "";
        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Post, "/v1/authority/codes", noCase, headers: auth), HttpStatusCode.BadRequest, "invalid_case_ref");
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));

        var issued = await Api.IssueCodeAsync(Today, reportType: "clinical");
        Assert.Matches("^[0-9]{8}$", (string)issued["code"]!);
        Assert.Matches("^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{16}$", (string)issued["longCode"]!);
        var id = (string)issued["id"]!;
        async Task<string> StatusAsync() =>
            (string)(await ApiClient.OkJsonAsync(await Api.SendAsync(HttpMethod.Get, "/v1/authority/codes/" + id, null, headers: auth)))["status"]!;

        Assert.Equal("unused", await StatusAsync());
        var verified = await ApiClient.OkJsonAsync(await Api.VerifyAsync((string)issued["code"]!));
        Assert.Equal("clinical", (string)verified["reportType"]!);
        Assert.Equal("claimed", await StatusAsync());
        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Get, "/v1/authority/codes/" + Guid.NewGuid(), null, headers: auth), HttpStatusCode.NotFound, "code_not_found");

        var unused = (string)(await Api.IssueCodeAsync(Today))["id"]!;
        Fixture.Time.Advance(TimeSpan.FromHours(25));
        Assert.Equal("expired", (string)(await ApiClient.OkJsonAsync(await Api.SendAsync(HttpMethod.Get, "/v1/authority/codes/" + unused, null, headers: auth)))["status"]!);
    }

    [Fact]
    public async Task Chaff_requests_answer_like_real_ones_and_store_nothing()
    {
        var code = (string)(await Api.IssueCodeAsync(Today))["code"]!;
        var before = await RowCounts.ReadAsync(Fixture.Server);

        var fake = await ApiClient.OkJsonAsync(await Api.VerifyAsync(code, chaff: true));
        Assert.Equal(43, ((string)fake["token"]!).Length);
        var published = await ApiClient.OkJsonAsync(await Api.PublishAsync((string)fake["token"]!, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 3)), chaff: true));
        Assert.Equal(3, (int)published["inserted"]!);
        await ApiClient.OkJsonAsync(await Api.PublishRecursiveAsync(ApiClient.Body(ApiClient.KeysForDays(Now, 1, 3)), chaff: true));
        Assert.Equal(before, await RowCounts.ReadAsync(Fixture.Server));

        // The code was not claimed by the chaff: the real verify still works.
        await ApiClient.OkJsonAsync(await Api.VerifyAsync(code));
    }

    [Fact]
    public async Task Community_join_counts_once_per_proof_of_work()
    {
        var before = (long)(await ApiClient.OkJsonAsync(await Fixture.Client.GetAsync("/v1/community")))["total"]!;
        var challenge = await ApiClient.OkJsonAsync(await Fixture.Client.GetAsync("/v1/community/challenge"));
        Assert.Equal(ServerFixture.JoinDifficultyBits, (int)challenge["difficultyBits"]!);
        var challengeBytes = System.Buffers.Text.Base64Url.DecodeFromChars((string)challenge["challenge"]!);
        var nonce = Bluezone.Protocol.Community.JoinProofOfWork.Solve(challengeBytes, ServerFixture.JoinDifficultyBits);
        var join = new JsonObject { ["challenge"] = (string)challenge["challenge"]!, ["nonce"] = Convert.ToBase64String(nonce) };

        var joined = await ApiClient.OkJsonAsync(await Api.SendAsync(HttpMethod.Post, "/v1/community/join", join));
        Assert.Equal(before + 1, (long)joined["total"]!);
        var counts = await RowCounts.ReadAsync(Fixture.Server);

        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Post, "/v1/community/join", join), HttpStatusCode.Conflict, "join_proof_reused");
        var weak = new JsonObject { ["challenge"] = (string)challenge["challenge"]!, ["nonce"] = Convert.ToBase64String(FindWeakNonce(challengeBytes)) };
        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Post, "/v1/community/join", weak), HttpStatusCode.BadRequest, "join_proof_invalid");
        var forged = (byte[])challengeBytes.Clone();
        forged[^1] ^= 1;
        var forgedJoin = new JsonObject { ["challenge"] = System.Buffers.Text.Base64Url.EncodeToString(forged), ["nonce"] = Convert.ToBase64String(nonce) };
        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Post, "/v1/community/join", forgedJoin), HttpStatusCode.BadRequest, "join_challenge_invalid");
        var chaffJoin = new JsonObject { ["challenge"] = (string)challenge["challenge"]!, ["nonce"] = Convert.ToBase64String(SolveAnother(challengeBytes, nonce)) };
        await ApiClient.OkJsonAsync(await Api.SendAsync(HttpMethod.Post, "/v1/community/join", chaffJoin, chaff: true));
        Assert.Equal(counts, await RowCounts.ReadAsync(Fixture.Server));

        Fixture.Time.Advance(TimeSpan.FromHours(2));
        await ApiClient.AssertErrorAsync(await Api.SendAsync(HttpMethod.Post, "/v1/community/join", join), HttpStatusCode.BadRequest, "join_challenge_expired");
        Assert.Equal(before + 1, (long)(await ApiClient.OkJsonAsync(await Fixture.Client.GetAsync("/v1/community")))["total"]!);
    }

    [Fact]
    public async Task The_device_configuration_is_signed_by_the_export_key()
    {
        var signed = await ApiClient.OkJsonAsync(await Fixture.Client.GetAsync("/v1/config"));
        var payload = Convert.FromBase64String((string)signed["payload"]!);
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(await Fixture.Client.GetStringAsync("/v1/exports/public-key.pem"));
        Assert.True(publicKey.VerifyData(payload, Convert.FromBase64String((string)signed["signature"]!), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.Equal("1.2.840.10045.4.3.2", (string)signed["algorithm"]!);

        var configuration = JsonNode.Parse(payload)!;
        Assert.Equal(15, (double)configuration["riskThresholdMinutes"]!);
        Assert.Equal(14, (int)configuration["retentionDays"]!);
        Assert.Equal(29, configuration["infectiousnessWeights"]!.AsArray().Count);

        payload[10] ^= 1;
        Assert.False(publicKey.VerifyData(payload, Convert.FromBase64String((string)signed["signature"]!), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public async Task Export_files_are_immutable_and_cached_the_index_briefly_and_both_answer_304_to_their_etag()
    {
        var key = ApiClient.KeysForDays(Now, 1, 1);
        await ApiClient.OkJsonAsync(await Api.PublishAsync(await Api.NewUploadTokenAsync(Today), ApiClient.Body(key)));
        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, [key[0].KeyData.ToArray()]);

        var index = await Fixture.Client.GetAsync("/v1/exports/index.txt");
        Assert.Equal(300, (int)index.Headers.CacheControl!.MaxAge!.Value.TotalSeconds);
        var name = (await index.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        var file = await Fixture.Client.GetAsync("/v1/exports/" + name);
        Assert.Equal("application/zip", file.Content.Headers.ContentType!.MediaType);
        Assert.Equal(365 * 24 * 3600, (int)file.Headers.CacheControl!.MaxAge!.Value.TotalSeconds);
        Assert.Contains("immutable", file.Headers.CacheControl.ToString());

        foreach (var (path, etag) in new[] { ("/v1/exports/" + name, file.Headers.ETag!), ("/v1/exports/index.txt", index.Headers.ETag!) })
        {
            using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
            conditional.Headers.IfNoneMatch.Add(etag);
            Assert.Equal(HttpStatusCode.NotModified, (await Fixture.Client.SendAsync(conditional)).StatusCode);
        }

        await ApiClient.AssertErrorAsync(await Fixture.Client.GetAsync("/v1/exports/1-2-00001.zip"), HttpStatusCode.NotFound, "export_not_found");
        await ApiClient.AssertErrorAsync(await Fixture.Client.GetAsync("/v1/exports/..%2Fbluezone.db"), HttpStatusCode.NotFound, "export_not_found");
    }

    [Fact]
    public async Task Retention_deletes_what_is_older_than_14_days_and_keeps_the_rest()
    {
        var old = Now - TimeSpan.FromDays(15);
        var oldKey = RandomNumberGenerator.GetBytes(16);
        await Fixture.Server.QueryAsync(async db =>
        {
            db.PublishedKeys.Add(new Storage.PublishedKey { KeyData = oldKey, RollingStartIntervalNumber = IntervalNumber.FromTime(old).DayStart.Value, RollingPeriod = 144, ReportType = 1, ReceivedAt = old, AvailableAt = old, ExportBatchId = -1 });
            db.HeardTokenSets.Add(new Storage.HeardTokenSet { ReceivedAt = old, Tokens = [new Storage.StoredHeardToken { High = 1, Low = 2 }] });
            db.UploadTokens.Add(new Storage.UploadToken { Id = Guid.NewGuid(), TokenHash = RandomNumberGenerator.GetBytes(32), IssuedAt = old, ExpiresAt = old.AddDays(1), TestDate = Today });
            db.ExportBatches.Add(new Storage.ExportBatch
            {
                StartTime = old - ServerFixture.BatchInterval, EndTime = old, CreatedAt = old, KeyCount = 1, FileCount = 1,
                Files = [new Storage.ExportFile { Name = "1-2-00001.zip", Content = [1], ETag = "\"x\"", CreatedAt = old, BatchNumber = 1, BatchSize = 1 }],
            });
            return await db.SaveChangesAsync();
        });
        var recent = ApiClient.KeysForDays(Now, 1, 1);
        await ApiClient.OkJsonAsync(await Api.PublishAsync(await Api.NewUploadTokenAsync(Today), ApiClient.Body(recent, [RandomNumberGenerator.GetBytes(16)])));

        var retention = (Privacy.Retention)Fixture.Server.Services.GetService(typeof(Privacy.Retention))!;
        await retention.DeleteExpiredAsync(CancellationToken.None);

        await Fixture.Server.QueryAsync(async db =>
        {
            Assert.DoesNotContain(db.PublishedKeys.Select(k => k.KeyData).AsEnumerable(), k => k.SequenceEqual(oldKey));
            Assert.Contains(db.PublishedKeys.Select(k => k.KeyData).AsEnumerable(), k => k.SequenceEqual(recent[0].KeyData.ToArray()));
            Assert.DoesNotContain(db.HeardTokenSets.AsEnumerable(), s => s.ReceivedAt < Now - TimeSpan.FromDays(14));
            Assert.DoesNotContain(db.HeardTokens.AsEnumerable(), t => t.High == 1 && t.Low == 2);
            Assert.DoesNotContain(db.UploadTokens.AsEnumerable(), t => t.IssuedAt < Now - TimeSpan.FromDays(14));
            Assert.DoesNotContain(db.ExportFiles.AsEnumerable(), f => f.Name == "1-2-00001.zip");
            Assert.DoesNotContain(db.ExportBatches.AsEnumerable(), b => b.CreatedAt < Now - TimeSpan.FromDays(14));
            return await Task.FromResult(0);
        });
    }

    [Fact]
    public async Task An_F0_upload_with_the_largest_allowed_number_of_heard_tokens_is_stored_whole()
    {
        var token = await Api.NewUploadTokenAsync(Today);
        var before = await RowCounts.ReadAsync(Fixture.Server);
        var heard = Enumerable.Range(0, 50_000).Select(_ => RandomNumberGenerator.GetBytes(16)).ToList();
        await ApiClient.OkJsonAsync(await Api.PublishAsync(token, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 14), heard)));
        var after = await RowCounts.ReadAsync(Fixture.Server);
        Assert.Equal(before.HeardTokens + 50_000, after.HeardTokens);
        Assert.Equal(before.HeardTokenSets + 1, after.HeardTokenSets);
    }

    [Fact]
    public async Task An_F0s_heard_tokens_are_stored_exactly_once_each_down_to_the_sign_bits()
    {
        // The extremes of both 64-bit halves (stored as signed integers), a token reported twice, and random ones.
        static byte[] Token(byte first, byte fill, byte ninth)
        {
            var token = Enumerable.Repeat(fill, 16).ToArray();
            token[0] = first; // the high half's sign bit
            token[8] = ninth; // the low half's
            return token;
        }

        var heard = new List<byte[]>
        {
            Token(0x00, 0x00, 0x00), Token(0xFF, 0xFF, 0xFF), Token(0x80, 0x00, 0x80), Token(0x7F, 0xFF, 0x7F),
            Token(0x80, 0x00, 0x7F), Token(0x7F, 0xFF, 0x80), Token(0x00, 0x00, 0x01),
        };
        heard.AddRange(Enumerable.Range(0, 300).Select(_ => RandomNumberGenerator.GetBytes(16)));
        heard.Add(heard[^1]);
        var expected = heard.Select(t => HeardToken.FromBytes(t)).Select(t => (unchecked((long)t.High), unchecked((long)t.Low))).Distinct().Order().ToList();

        var token = await Api.NewUploadTokenAsync(Today);
        await ApiClient.OkJsonAsync(await Api.PublishAsync(token, ApiClient.Body(ApiClient.KeysForDays(Now, 1, 2), heard)));

        var stored = await Fixture.Server.QueryAsync(async db =>
        {
            var set = await db.HeardTokenSets.OrderByDescending(s => s.Id).Select(s => s.Id).FirstAsync();
            return await db.HeardTokens.Where(t => t.SetId == set).Select(t => new { t.High, t.Low }).ToListAsync();
        });
        Assert.Equal(expected, stored.Select(t => (t.High, t.Low)).Order().ToList());
    }

    [Fact]
    public async Task Two_instances_on_one_database_publish_every_key_in_exactly_one_export()
    {
        await using var second = await Fixture.StartAnotherInstanceAsync();
        var apis = new[] { Api, new ApiClient(second.Client, Fixture.ApiKey) };
        var batchesBefore = await Fixture.Server.QueryAsync(db => db.ExportBatches.CountAsync());
        var uploaded = new List<byte[]>();

        // Uploads go through both instances while the clock moves on; at every step the lease has expired
        // (5 s lease, 60 s batches), so both publishers race for it and for the batch.
        for (var round = 0; round < 8; round++)
        {
            var uploads = Enumerable.Range(0, 4).Select(async i =>
            {
                var api = apis[i % 2];
                var keys = ApiClient.KeysForDays(Now, 1, 3);
                var token = await api.NewUploadTokenAsync(Today);
                await ApiClient.OkJsonAsync(await api.PublishAsync(token, ApiClient.Body(keys)));
                return keys;
            }).ToList();
            Fixture.Time.Advance(ServerFixture.BatchInterval);
            foreach (var keys in await Task.WhenAll(uploads))
            {
                uploaded.AddRange(keys.Select(k => k.KeyData.ToArray()));
            }

            await Task.Delay(50);
        }

        await PublishedExports.AdvanceUntilExportedAsync(Fixture.Server, Fixture.Time, uploaded);
        var fromFirst = await PublishedExports.DownloadAllAsync(Fixture.Client);
        var fromSecond = await PublishedExports.DownloadAllAsync(second.Client);
        Assert.Equal(fromFirst.Select(e => e.File).Distinct(), fromSecond.Select(e => e.File).Distinct());
        foreach (var key in uploaded)
        {
            Assert.Single(fromFirst, e => e.Key.Key.KeyData.SequenceEqual(key));
        }

        var batches = await Fixture.Server.QueryAsync(db => db.ExportBatches.Select(b => new { b.StartTime, b.EndTime }).ToListAsync());
        Assert.True(batches.Count - batchesBefore >= 2, "the keys were spread over several batches");
        Assert.Equal(batches.Count, batches.Select(b => b.EndTime).Distinct().Count());

        // Consecutive periods neither overlap nor leave gaps.
        var ordered = batches.OrderBy(b => b.EndTime).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.Equal(ordered[i - 1].EndTime, ordered[i].StartTime);
        }
    }

    /// <summary>
    /// Sends with <c>Expect: 100-continue</c>, as a careful client sends a large body: the server refuses on the
    /// declared length before the body is sent (without it the client is cut off mid-send and never reads the answer).
    /// </summary>
    private async Task<HttpResponseMessage> SendWaitingForContinueAsync(string path, string json, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return await Fixture.Client.SendAsync(request);
    }

    private static byte[] FindWeakNonce(byte[] challenge)
    {
        for (var i = 0; ; i++)
        {
            var nonce = BitConverter.GetBytes(i);
            if (Bluezone.Protocol.Community.JoinProofOfWork.LeadingZeroBits(Bluezone.Protocol.Community.JoinProofOfWork.Digest(challenge, nonce)) < ServerFixture.JoinDifficultyBits)
            {
                return nonce;
            }
        }
    }

    private static byte[] SolveAnother(byte[] challenge, byte[] taken)
    {
        for (var i = 1_000_000; ; i++)
        {
            var nonce = BitConverter.GetBytes(i);
            if (!nonce.SequenceEqual(taken) && Bluezone.Protocol.Community.JoinProofOfWork.LeadingZeroBits(Bluezone.Protocol.Community.JoinProofOfWork.Digest(challenge, nonce)) >= ServerFixture.JoinDifficultyBits)
            {
                return nonce;
            }
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

public sealed class SqliteServerApiTests(SqliteServerFixture fixture) : ServerApiTests<SqliteServerFixture>(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresServerApiTests(PostgresServerFixture fixture) : ServerApiTests<PostgresServerFixture>(fixture), IClassFixture<PostgresServerFixture>;
