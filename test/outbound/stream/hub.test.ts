import { describe, expect, it, vi } from "vitest";
import { all, fakeOutbox, hubsClosedAfterEach, ids, range, read } from "../../helpers/stream-hub.js";

/** The hub: one dispatch in order for every client, holes filled once, heartbeats, bounds, close. */

const hubOn = hubsClosedAfterEach();

describe("stream hub", () => {
  it("hands published messages to every client in order, with id, event and data", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1)); // where the relay is
    await vi.waitFor(() => expect(o.reads).toBe(0));
    const a = read(await hub.open({ after: null, matches: all }));
    const b = read(await hub.open({ after: null, matches: all }));
    hub.receive(o.add(2));
    hub.receive(o.add(1, "issue.shipped"));
    await vi.waitFor(() => expect(ids(a)).toEqual(range(2, 4)));
    await vi.waitFor(() => expect(ids(b)).toEqual(range(2, 4)));
    const envelope = '"version":"1","correlationId":"deploy:generic:4","causationId":"id-4"';
    expect(a.messages[2]).toEqual({ id: "id-4", event: "issue.shipped", data: `{"n":4,${envelope}}` });
    expect(o.reads).toBe(0); // live messages come from the publish alone
  });
  it("fills a hole in what was published from the database once for all clients, in order", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const clients = await Promise.all([1, 2, 3].map(() => hub.open({ after: null, matches: all }).then(read)));
    o.add(2); // committed, publish lost
    hub.receive(o.add(1));
    for (const c of clients) await vi.waitFor(() => expect(ids(c)).toEqual(range(2, 4)));
    expect(o.reads).toBe(1);
  });
  it("drops a message published twice", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: all }));
    const batch = o.add(2);
    hub.receive(batch);
    hub.receive(batch);
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(range(2, 4)));
  });
  it("starts from the database's last position before the first publish, and reads what it missed", async () => {
    const o = fakeOutbox();
    o.add(3);
    const hub = hubOn(o);
    const c = read(await hub.open({ after: null, matches: all }));
    o.add(2); // publish lost
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(range(4, 6)));
  });
  it("sweeps from its live clients when it starts after them and a publish was lost", async () => {
    const o = fakeOutbox();
    o.add(3);
    const hub = hubOn(o);
    const c = read(await hub.open({ after: null, matches: all }));
    await vi.waitFor(() => expect(o.reads).toBe(1)); // its own history: nothing after 3
    o.add(2); // published before the hub was subscribed
    hub.sweep();
    await vi.waitFor(() => expect(ids(c)).toEqual(range(4, 5)));
  });
  it("applies the filter, and a message filtered out still counts as passed", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: (i) => i.type === "issue.shipped" }));
    hub.receive(o.add(2));
    hub.receive(o.add(1, "issue.shipped"));
    hub.receive(o.add(1));
    hub.receive(o.add(1, "issue.shipped"));
    await vi.waitFor(() => expect(ids(c)).toEqual(["id-4", "id-6"]));
    expect(o.reads).toBe(0);
  });
  it("writes the prologue first and a comment on every beat", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o, { heartbeatMs: 20 });
    const stream = await hub.open({ after: null, matches: all, prologue: ": hello\n\n" });
    const c = read(stream);
    await vi.waitFor(() => expect(c.comments.filter((x) => x === "keep-alive").length).toBeGreaterThanOrEqual(2));
    expect(c.comments[0]).toBe("hello");
  });
  it("sweeps for a publish lost after the last one, on the beat", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o, { heartbeatMs: 20 });
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: all }));
    o.add(2); // relay crashed after commit: nothing published
    await vi.waitFor(() => expect(ids(c)).toEqual(range(2, 3)));
  });
  it("holds live messages back while the database is away, then sends them in order", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: all }));
    o.add(1);
    o.failing = 3;
    hub.receive(o.add(1));
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(range(2, 4)));
    expect(o.reads).toBe(4);
  });
  it("does not wait for positions published but missing from the database", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: all }));
    const [, later] = o.add(2);
    o.rows.splice(1, 1); // 2 published (lost) but gone from the table
    hub.receive([later!]);
    await vi.waitFor(() => expect(ids(c)).toEqual(["id-3"]));
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(["id-3", "id-4"]));
  });
  it("ends the stream of a client that does not keep up, and only that one", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o, { maxBuffered: 50, closeGraceMs: 50 });
    hub.receive(o.add(1));
    const slow = (await hub.open({ after: null, matches: all }))!; // never read
    const fast = read(await hub.open({ after: null, matches: all }));
    const closed = new Promise((r) => slow.once("close", r));
    await new Promise((r) => setImmediate(r)); // the fast one is reading
    for (let i = 0; i < 100; i++) hub.receive(o.add(1));
    await closed;
    expect(hub.clients).toBe(1);
    await vi.waitFor(() => expect(ids(fast)).toEqual(range(2, 101)));
  });
  it("ends every stream on close and opens none after", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    const streams = await Promise.all([1, 2].map(() => hub.open({ after: null, matches: all })));
    const got = streams.map(read);
    await hub.close();
    expect(got.every((g) => g.ended)).toBe(true);
    expect(hub.clients).toBe(0);
    expect(await hub.open({ after: null, matches: all })).toBeNull();
  });
});
