-- POSTs varied bodies: each request sends the next line of a file, so the traffic is a corpus
-- (many principals, resources and permissions), not one request in a loop.
--   WRK_BODIES=queries.ndjson [WRK_TOKENS=tokens.txt] [WRK_PATH=/check] \
--     wrk -t2 -c64 -d10s --latency -s bench/http/post_bodies.lua http://127.0.0.1:8082/check
-- WRK_BODIES   one request body per line (required); empty lines are skipped
-- WRK_TOKENS   one bearer token per line (optional): sent as Authorization. With as many lines
--              as WRK_BODIES, line i of both goes in one request (make_requests.py pairs each
--              body with its caller's token); otherwise the two files cycle independently.
-- WRK_DELAY_MS each connection waits this long (whole milliseconds, wrk's delay()) before each
--              request: paces the load below the maximum rate (wrk2 is not in Debian). wrk
--              times a request from when it is sent, so paced latencies are service times.
-- WRK_PATH     request target (default: the URL's path)
-- WRK_CONTENT_TYPE  default application/json
-- Each wrk thread starts at its own offset in the files, so threads do not send in lockstep.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local thread_count = 0
function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

local function read_lines(path)
  local lines = {}
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  for line in f:lines() do
    if line ~= "" then lines[#lines + 1] = line end
  end
  f:close()
  return lines
end

local bodies, tokens, body_at, token_at, path, headers, delay_ms

function init(args)
  local bodies_path = os.getenv("WRK_BODIES")
  assert(bodies_path and bodies_path ~= "", "set WRK_BODIES to a file of request bodies")
  bodies = read_lines(bodies_path)
  assert(#bodies > 0, bodies_path .. " holds no bodies")
  tokens = {}
  local tokens_path = os.getenv("WRK_TOKENS")
  if tokens_path and tokens_path ~= "" then tokens = read_lines(tokens_path) end
  -- A prime stride apart per thread: distinct starting points whatever the thread count.
  body_at = (id * 7919) % #bodies
  token_at = #tokens > 0 and (id * 7919) % #tokens or 0
  path = os.getenv("WRK_PATH") or wrk.path
  headers = { ["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json" }
  delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "")
  if delay_ms then
    -- wrk only calls delay() when the script defines it, so define it only when asked.
    delay = function() return delay_ms end
  end
end

function request()
  body_at = body_at % #bodies + 1
  if #tokens > 0 then
    token_at = token_at % #tokens + 1
    headers["Authorization"] = "Bearer " .. tokens[token_at]
  end
  return wrk.format("POST", path, headers, bodies[body_at])
end
