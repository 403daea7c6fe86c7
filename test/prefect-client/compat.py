"""Drives Herald with Prefect's own client, unchanged: emits over /api/events/in, subscribes over
/api/events/out, and emits through Prefect's background EventsWorker. Prints one JSON line."""
import asyncio
import json
import os

from prefect.events import Event, emit_event
from prefect.events.clients import PrefectEventsClient, PrefectEventSubscriber
from prefect.events.filters import EventFilter, EventNameFilter
from prefect.events.worker import EventsWorker

PREFIX = os.environ["COMPAT_PREFIX"]


async def stream_and_emit() -> list[str]:
    api = os.environ["PREFECT_API_URL"]
    received: list[str] = []

    async def subscribe() -> None:
        event_filter = EventFilter(event=EventNameFilter(prefix=[PREFIX]))
        async with PrefectEventSubscriber(api_url=api, filter=event_filter) as subscriber:
            async for event in subscriber:
                received.append(event.event)
                if len(received) >= 3:
                    return

    task = asyncio.create_task(subscribe())
    await asyncio.sleep(1.0)
    async with PrefectEventsClient(api_url=api) as client:
        for i in range(3):
            await client.emit(Event(event=f"{PREFIX}client.{i}", resource={"prefect.resource.id": f"compat.{i}"}, payload={"i": i}))
    await asyncio.wait_for(task, 20)
    return received


streamed = asyncio.run(stream_and_emit())
emitted = emit_event(event=f"{PREFIX}emit-event", resource={"prefect.resource.id": "compat.emit"}, payload={"ok": True})
EventsWorker.drain_all()
print(json.dumps({"streamed": streamed, "emit_event_id": str(emitted.id) if emitted else None}))
