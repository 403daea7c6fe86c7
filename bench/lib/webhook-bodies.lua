-- wrk script: every request POSTs a fresh JSON body of two catalogue-like events (about 1.3 KB), a
-- flow-run state change with its flow and deployment, then a task run. Ids are unique per request:
-- an 8-hex-digit prefix from the command line (`-- <prefix>`), then a counter. The same bodies are
-- a valid `POST /api/events` batch, so one script drives both the webhook and the raw figure.
local prefix = "00000000"
local counter = 0

function init(args)
  prefix = args[1] or prefix
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "herald-bench"

local body = [==[[{"id":"%s","occurred":"%s","event":"prefect.flow-run.Running","resource":{"prefect.resource.id":"prefect.flow-run.%s","prefect.resource.name":"brave-otter-%d","prefect.state-message":"","prefect.state-name":"Running","prefect.state-timestamp":"%s","prefect.state-type":"RUNNING"},"related":[{"prefect.resource.id":"prefect.flow.7a1c9f0e-3b2d-4e5f-8a9b-0c1d2e3f4a5b","prefect.resource.role":"flow","prefect.resource.name":"etl-nightly"},{"prefect.resource.id":"prefect.deployment.1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e","prefect.resource.role":"deployment","prefect.resource.name":"etl-nightly/prod"}],"payload":{"intended":{"from":"PENDING","to":"RUNNING"},"initial_state":{"type":"PENDING","name":"Pending","message":null},"validated_state":{"type":"RUNNING","name":"Running","message":null},"task_run_count":%d,"tags":["nightly","etl","prod"]}},{"id":"%s","occurred":"%s","event":"prefect.task-run.Completed","resource":{"prefect.resource.id":"prefect.task-run.%s","prefect.resource.name":"load-warehouse-%d","prefect.state-name":"Completed","prefect.state-type":"COMPLETED"},"related":[{"prefect.resource.id":"prefect.flow-run.%s","prefect.resource.role":"flow-run","prefect.resource.name":"brave-otter-%d"}],"payload":{"validated_state":{"type":"COMPLETED","name":"Completed"}}}]]==]

function request()
  counter = counter + 1
  local now = os.date("!%Y-%m-%dT%H:%M:%S.000000Z")
  local run = string.format("%s-0000-7000-a000-%012x", prefix, counter)
  local first = string.format("%s-0000-7000-8000-%012x", prefix, counter)
  local second = string.format("%s-0000-7000-9000-%012x", prefix, counter)
  return wrk.format(nil, nil, nil, string.format(body, first, now, run, counter, now, counter % 17, second, now, run, counter, run, counter))
end
