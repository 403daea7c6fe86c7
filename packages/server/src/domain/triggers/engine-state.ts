import { HeraldError, type Firing, type ReceivedEvent } from '@herald/core';
import type { EngineEventInput, EngineStateRecord } from './engine-types.js';

/** One window of one trigger for one bucketing key (spec §3.5). Times are µs. */
export interface Bucket {
  type: 'bucket';
  /** The state record key, computed once. */
  stateKey: string;
  automationId: string;
  triggerId: string;
  /** `automationId:triggerId`, the key of its trigger's buckets, computed once. */
  triggerUid: string;
  key: string[];
  keyJson: string;
  start: number;
  end: number;
  count: number;
  lastEvent: ReceivedEvent | null;
}

/** The remembered firing of one child of a composite (one per child, latest wins). `time` is event time. */
export interface ChildRow {
  type: 'child';
  automationId: string;
  parentId: string;
  childId: string;
  firing: Firing;
  time: number;
  /** Processing order, the tie-break of equal times. */
  seq: number;
}

/** An event waiting for its `follows` leader (DECISIONS 16). */
export interface ParkedFollower {
  type: 'parked';
  input: EngineEventInput;
  parkedAt: number;
  releaseAt: number;
}

/** DECISIONS 11: a proactive trigger fired for a key and waits for an expected event at or after `since`. */
export interface ResolutionMark {
  type: 'mark';
  automationId: string;
  triggerId: string;
  keyJson: string;
  since: number;
  firingId: string;
}

interface ScheduleEntry {
  type: 'schedule';
  automationId: string;
  triggerId: string;
  /** Next proactive evaluation, in events-clock (`as_of`) time. */
  at: number;
}

interface ClockEntry {
  type: 'clock';
}

type Entry = Bucket | ChildRow | ParkedFollower | ResolutionMark | ScheduleEntry | ClockEntry;

const CLOCK_KEY = 'k';
const CLOCK_ENTRY: ClockEntry = { type: 'clock' };

/**
 * All engine state, in memory, with the set of entries changed since the last drain. Keys and values
 * are opaque strings to the service; `restore` reads back exactly what `drainRecords` wrote.
 */
export class EngineState {
  /** triggerUid → keyJson → bucket. */
  readonly buckets = new Map<string, Map<string, Bucket>>();
  /** parentUid → childId → row. */
  readonly children = new Map<string, Map<string, ChildRow>>();
  /** eventId → follower, and leaderId → follower ids. */
  readonly parked = new Map<string, ParkedFollower>();
  readonly parkedByLeader = new Map<string, Set<string>>();
  readonly marks = new Map<string, ResolutionMark>();
  /** triggerUid → next proactive evaluation (`as_of` time). */
  readonly schedule = new Map<string, ScheduleEntry>();
  clock: number | null = null;
  clockUpdatedAt = 0;
  /** Last composite child-row sequence number; persisted with the clock. */
  private childSeq = 0;
  /** The earliest schedule set since the engine last scanned them all (the engine resets it). */
  scheduleFloor = Number.POSITIVE_INFINITY;
  /** A lower bound of every bucket's `end`, for the sweep deadline. */
  sweepHint = Number.POSITIVE_INFINITY;
  private readonly dirty = new Map<string, Entry | null>();

  // Buckets --------------------------------------------------------------------------------------

  getBucket(triggerUid: string, keyJson: string): Bucket | undefined {
    return this.buckets.get(triggerUid)?.get(keyJson);
  }

  /** Inserts or marks changed; call after every mutation of a bucket. */
  putBucket(b: Bucket): void {
    let map = this.buckets.get(b.triggerUid);
    if (!map) this.buckets.set(b.triggerUid, (map = new Map()));
    map.set(b.keyJson, b);
    if (b.end < this.sweepHint) this.sweepHint = b.end;
    this.dirty.set(b.stateKey, b);
  }

  removeBucket(b: Bucket): void {
    const map = this.buckets.get(b.triggerUid);
    if (map?.get(b.keyJson) !== b) return;
    map.delete(b.keyJson);
    if (map.size === 0) this.buckets.delete(b.triggerUid);
    this.dirty.set(b.stateKey, null);
  }

  /** Deletes every bucket with `end ≤ horizon`; returns how many. */
  sweep(horizon: number): number {
    let removed = 0;
    let hint = Number.POSITIVE_INFINITY;
    for (const map of [...this.buckets.values()]) {
      for (const b of [...map.values()]) {
        if (b.end <= horizon) {
          this.removeBucket(b);
          removed++;
        } else if (b.end < hint) hint = b.end;
      }
    }
    this.sweepHint = hint;
    return removed;
  }

  // Composite child firings ----------------------------------------------------------------------

  childRows(parentUid: string): Map<string, ChildRow> | undefined {
    return this.children.get(parentUid);
  }

  putChild(row: ChildRow): void {
    const uid = `${row.automationId}:${row.parentId}`;
    let map = this.children.get(uid);
    if (!map) this.children.set(uid, (map = new Map()));
    map.set(row.childId, row);
    this.dirty.set(childKey(uid, row.childId), row);
  }

  removeChild(row: ChildRow): void {
    const uid = `${row.automationId}:${row.parentId}`;
    const map = this.children.get(uid);
    if (map?.get(row.childId) !== row) return;
    map.delete(row.childId);
    if (map.size === 0) this.children.delete(uid);
    this.dirty.set(childKey(uid, row.childId), null);
  }

  // Followers ------------------------------------------------------------------------------------

  park(f: ParkedFollower): void {
    const id = f.input.event.id;
    this.parked.set(id, f);
    const leader = f.input.event.follows!;
    let set = this.parkedByLeader.get(leader);
    if (!set) this.parkedByLeader.set(leader, (set = new Set()));
    set.add(id);
    this.dirty.set(`f|${id}`, f);
  }

  unpark(eventId: string): ParkedFollower | undefined {
    const f = this.parked.get(eventId);
    if (!f) return undefined;
    this.parked.delete(eventId);
    const leader = f.input.event.follows!;
    const set = this.parkedByLeader.get(leader);
    set?.delete(eventId);
    if (set?.size === 0) this.parkedByLeader.delete(leader);
    this.dirty.set(`f|${eventId}`, null);
    return f;
  }

  // Resolution marks -----------------------------------------------------------------------------

  getMark(triggerUid: string, keyJson: string): ResolutionMark | undefined {
    return this.marks.get(markKey(triggerUid, keyJson));
  }

  putMark(m: ResolutionMark): void {
    const key = markKey(`${m.automationId}:${m.triggerId}`, m.keyJson);
    this.marks.set(key, m);
    this.dirty.set(key, m);
  }

  removeMark(m: ResolutionMark): void {
    const key = markKey(`${m.automationId}:${m.triggerId}`, m.keyJson);
    this.marks.delete(key);
    this.dirty.set(key, null);
  }

  // Proactive schedule and events clock ------------------------------------------------------------

  scheduledAt(triggerUid: string): number | undefined {
    return this.schedule.get(triggerUid)?.at;
  }

  setSchedule(automationId: string, triggerId: string, at: number): void {
    if (at < this.scheduleFloor) this.scheduleFloor = at;
    const uid = `${automationId}:${triggerId}`;
    const entry: ScheduleEntry = { type: 'schedule', automationId, triggerId, at };
    this.schedule.set(uid, entry);
    this.dirty.set(`n|${uid}`, entry);
  }

  clearSchedule(triggerUid: string): void {
    if (!this.schedule.delete(triggerUid)) return;
    this.dirty.set(`n|${triggerUid}`, null);
  }

  nextChildSeq(): number {
    this.dirty.set(CLOCK_KEY, CLOCK_ENTRY);
    return ++this.childSeq;
  }

  setClock(clock: number | null, updatedAt: number): void {
    this.clock = clock;
    this.clockUpdatedAt = updatedAt;
    this.dirty.set(CLOCK_KEY, CLOCK_ENTRY);
  }

  // Persistence ----------------------------------------------------------------------------------

  /** The records changed since the previous call. */
  drainRecords(): EngineStateRecord[] {
    const records: EngineStateRecord[] = [];
    // An event shared by many buckets is serialised once per drain. Not a WeakMap kept across drains:
    // an entry outlives its dead key until a full collection, so every event's JSON would survive the
    // young-generation collections.
    const eventJson = new Map<ReceivedEvent, string>();
    for (const [key, entry] of this.dirty) records.push({ key, value: entry === null ? null : this.encode(entry, eventJson) });
    this.dirty.clear();
    return records;
  }

  /** Rebuilds state from records written by {@link drainRecords}. */
  restore(records: { key: string; value: string }[]): void {
    for (const { key, value } of records) {
      const v = JSON.parse(value);
      switch (key[0]) {
        case 'b':
          this.putBucket({
            type: 'bucket',
            stateKey: key,
            automationId: v.a,
            triggerId: v.t,
            triggerUid: triggerUid(v.a, v.t),
            key: v.k,
            keyJson: JSON.stringify(v.k),
            start: v.s,
            end: v.e,
            count: v.c,
            lastEvent: v.l,
          });
          break;
        case 'c':
          this.putChild({ type: 'child', automationId: v.a, parentId: v.p, childId: v.c, firing: v.f, time: v.tm, seq: v.q });
          break;
        case 'f':
          this.park({
            type: 'parked',
            input: { event: v.e, occurred: v.o, received: v.r, leaderProcessed: v.lp },
            parkedAt: v.pa,
            releaseAt: v.ra,
          });
          break;
        case 'r':
          this.putMark({ type: 'mark', automationId: v.a, triggerId: v.t, keyJson: v.k, since: v.s, firingId: v.id });
          break;
        case 'n':
          this.setSchedule(v.a, v.t, v.n);
          break;
        case 'k':
          this.setClock(v.c, v.u);
          this.childSeq = v.q;
          break;
        default:
          throw new HeraldError('INTERNAL', { message: `Unknown engine state record ${key}.` });
      }
    }
    this.dirty.clear();
  }

  private encode(entry: Entry, eventJson: Map<ReceivedEvent, string>): string {
    switch (entry.type) {
      case 'bucket': {
        // Hand-built so that an event shared by many buckets is serialised once (JSON.parse reads it back).
        const last = entry.lastEvent === null ? 'null' : jsonOf(entry.lastEvent, eventJson);
        return `{"a":${JSON.stringify(entry.automationId)},"t":${JSON.stringify(entry.triggerId)},"k":${entry.keyJson},"s":${entry.start},"e":${entry.end},"c":${entry.count},"l":${last}}`;
      }
      default:
        return JSON.stringify(this.encodeObject(entry));
    }
  }

  private encodeObject(entry: Exclude<Entry, Bucket>): unknown {
    switch (entry.type) {
      case 'child':
        return { a: entry.automationId, p: entry.parentId, c: entry.childId, f: entry.firing, tm: entry.time, q: entry.seq };
      case 'parked': {
        const { event, occurred, received, leaderProcessed } = entry.input;
        return { e: event, o: occurred, r: received, lp: leaderProcessed, pa: entry.parkedAt, ra: entry.releaseAt };
      }
      case 'mark':
        return { a: entry.automationId, t: entry.triggerId, k: entry.keyJson, s: entry.since, id: entry.firingId };
      case 'schedule':
        return { a: entry.automationId, t: entry.triggerId, n: entry.at };
      case 'clock':
        return { c: this.clock, u: this.clockUpdatedAt, q: this.childSeq };
      default:
        return entry satisfies never;
    }
  }
}

/** The uid of a trigger: its automation's id and its own, which together name its state. */
export function triggerUid(automationId: string, triggerId: string): string {
  return `${automationId}:${triggerId}`;
}

/** The state key of a bucket. */
export function bucketKey(triggerUid: string, keyJson: string): string {
  return `b|${triggerUid}|${keyJson}`;
}

function childKey(parentUid: string, childId: string): string {
  return `c|${parentUid}|${childId}`;
}

function markKey(triggerUid: string, keyJson: string): string {
  return `r|${triggerUid}|${keyJson}`;
}

/** An event's JSON, serialised once per `cache`. */
function jsonOf(event: ReceivedEvent, cache: Map<ReceivedEvent, string>): string {
  let json = cache.get(event);
  if (json === undefined) cache.set(event, (json = JSON.stringify(event)));
  return json;
}
