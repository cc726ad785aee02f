using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using OpenTelemetry.Trace;
using Ser.Core.Diagnostics;
using Ser.Tests;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Hosting;

/// <summary>A classify request traces as "ser.classify" → one "ser.inference.batch" per model → "ser.inference.forward"
/// per pass, with window counts, and counts its windows on the "Ser" meter; with OTEL_EXPORTER_OTLP_ENDPOINT set the
/// spans go out by OTLP/HTTP, without it nothing is registered.</summary>
public sealed class TelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_classify_request_is_a_span_whose_batches_and_forward_passes_carry_the_model_and_window_count()
    {
        using var factory = new SerApiFactory();
        factory.ServeScriptedModels();
        await factory.WaitUntilReadyAsync(Ct);
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is SerTelemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (spans) spans.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        var windows = new List<(string Instrument, int Value, object? Architecture)>();
        using var meters = new MeterListener { InstrumentPublished = (i, l) => { if (i.Meter.Name == SerTelemetry.Name) l.EnableMeasurementEvents(i); } };
        meters.SetMeasurementEventCallback<long>((i, v, tags, _) => { lock (windows) windows.Add((i.Name, (int)v, tags[0].Value)); });
        meters.SetMeasurementEventCallback<int>((i, v, tags, _) => { lock (windows) windows.Add((i.Name, v, tags[0].Value)); });
        meters.Start();
        var trace = ActivityTraceId.CreateRandom();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/classify", UriKind.Relative)) { Content = new ByteArrayContent(TestWav.Tone(0.3)) };
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        List<Activity> ours;
        lock (spans) ours = spans.Where(s => s.TraceId == trace).ToList();
        var classify = Assert.Single(ours, s => s.OperationName == "ser.classify");
        Assert.Equal(1, classify.GetTagItem(SerTelemetry.WindowsTag));
        var batches = ours.Where(s => s.OperationName == "ser.inference.batch").ToList();
        Assert.Equal(["resnet18", "wav2vec2"], batches.Select(b => (string)b.GetTagItem(SerTelemetry.ArchitectureTag)!).Order());
        Assert.All(batches, b => Assert.Equal((classify.SpanId, 1, 1), (b.ParentSpanId, (int)b.GetTagItem(SerTelemetry.WindowsTag)!, (int)b.GetTagItem("ser.requests")!)));
        var forwards = ours.Where(s => s.OperationName == "ser.inference.forward").ToList();
        Assert.Equal(batches.Select(b => b.SpanId.ToHexString()).Order(), forwards.Select(f => f.ParentSpanId.ToHexString()).Order());
        Assert.All(forwards, f => Assert.Equal(1, f.GetTagItem(SerTelemetry.WindowsTag)));
        lock (windows)
        {
            Assert.Contains(("ser.windows.scored", 1, (object?)"wav2vec2"), windows);
            Assert.Contains(("ser.batch.size", 1, (object?)"resnet18"), windows);
        }
    }

    [Fact]
    public async Task With_OTEL_EXPORTER_OTLP_ENDPOINT_set_spans_are_posted_to_v1_traces_and_without_it_nothing_is_registered()
    {
        using (var quiet = new SerApiFactory())
        {
            quiet.ServeScriptedModels();
            await quiet.WaitUntilReadyAsync(Ct);
            Assert.Null(quiet.Services.GetService(typeof(TracerProvider)));
        }

        using var collector = new HttpListener();
        var port = HubServer.FreePort();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = ReceiveAsync(collector);
        using var factory = new SerApiFactory();
        factory.Settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}";
        factory.Settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        factory.Settings["OTEL_BSP_SCHEDULE_DELAY"] = "100"; // exported while the service runs
        factory.ServeScriptedModels();
        await factory.WaitUntilReadyAsync(Ct); // requests, hence server spans
        Assert.NotNull(factory.Services.GetService(typeof(TracerProvider)));

        // Awaited while the host runs: relying on the flush at its disposal lost the spans in 2 of 20 runs here (the metrics'
        // were posted, the traces never).
        var post = await received.WaitAsync(TimeSpan.FromSeconds(60), Ct); // generous: a loaded CI machine, not a timing claim
        Assert.Equal(("POST", "/v1/traces", "application/x-protobuf"), post);
    }

    // The first POST to /v1/traces (metrics may come first, to /v1/metrics).
    private static async Task<(string Method, string Path, string? ContentType)> ReceiveAsync(HttpListener collector)
    {
        while (true)
        {
            var context = await collector.GetContextAsync();
            var request = (context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType);
            context.Response.StatusCode = 200;
            context.Response.Close();
            if (request.AbsolutePath == "/v1/traces") return request;
        }
    }
}
