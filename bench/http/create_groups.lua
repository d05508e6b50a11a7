-- Identity writes for the group-commit run: every request creates a new group,
--   WRK_TOKEN=ADMIN_TOKEN [WRK_RUN=tag] wrk -t2 -c16 -d5s -s bench/http/create_groups.lua \
--     http://127.0.0.1:8080/v2/groups
-- WRK_TOKEN  a bearer token allowed to create groups (required)
-- WRK_RUN    a tag that makes the ids unique across runs on one store (default: the time)
-- Ids are "bench-TAG-THREAD-N", N counting per wrk thread, so no two requests collide and every
-- 201 is one synced write. A 409 (a duplicate) would show as non-2xx in the report.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local thread_count = 0
function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

local counter, prefix, headers

function init(args)
  local token = os.getenv("WRK_TOKEN")
  assert(token and token ~= "", "set WRK_TOKEN to a bearer token allowed to create groups")
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  prefix = "bench-" .. (os.getenv("WRK_RUN") or tostring(os.time())) .. "-" .. id .. "-"
  counter = 0
end

function request()
  counter = counter + 1
  local group = prefix .. counter
  return wrk.format("POST", wrk.path, headers,
                    '{"groupId":"' .. group .. '","name":"Bench ' .. group .. '"}')
end
