-- wrk script of bench/bench_load.py: each connection's requests rotate over the paths of a file
-- (one path a line, given after `--`); each thread starts at its own place in the list.
-- At the end it prints ONE line of JSON: requests, socket errors, statuses >= 400 by code,
-- nginx's X-Cache-Status counts, latency percentiles in milliseconds.
--   wrk -t2 -c16 -d60s --timeout 60s -s bench/wrk_rotate.lua http://127.0.0.1:PORT -- paths.txt

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  math.randomseed(os.time() + #threads)
  counter = math.random(#paths)
  bad = {}
  cache = {}
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function response(status, headers, body)
  if status >= 400 then
    bad[tostring(status)] = (bad[tostring(status)] or 0) + 1
  end
  local hit = headers["X-Cache-Status"] or "none"
  cache[hit] = (cache[hit] or 0) + 1
end

local function merged(name)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get(name) or {}) do
      total[key] = (total[key] or 0) + count
    end
  end
  local parts = {}
  for key, count in pairs(total) do
    parts[#parts + 1] = string.format('"%s": %d', key, count)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"status": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f, "bad": %s, "cache": %s}\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, merged("bad"), merged("cache")))
end
