-- wrk's summary as one JSON line on stdout, for bench/http/run.sh:
--   wrk -t2 -c64 -d10s --latency -s bench/http/report.lua http://127.0.0.1:8081/hello
-- Used alone it sends wrk's default request (GET of the URL); post_bodies.lua includes it.
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"requests_per_s":%.0f,"socket_errors":%d,"non_2xx":%d,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, seconds, summary.requests / seconds,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
