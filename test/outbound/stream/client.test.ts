import { describe, expect, it, vi } from "vitest";
import { all, fakeOutbox, hubsClosedAfterEach, ids, range, read } from "../../helpers/stream-hub.js";

/** A client of the hub catching up: its history from the database, then live, without a gap or a repeat. */

const hubOn = hubsClosedAfterEach();

describe("stream hub client", () => {
  it("resumes from history, then live, without a gap or a repeat while both arrive", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o, { pageSize: 2 });
    hub.receive(o.add(5));
    let open!: () => void;
    o.gate = new Promise((r) => (open = r));
    const c = read(await hub.open({ after: 2n, matches: all }));
    // While the history read waits: 6 and 7 committed and published, 8 committed and published later.
    hub.receive(o.add(2));
    o.add(1);
    open();
    o.gate = null;
    // 8 was committed before the history read ended: it comes from there.
    await vi.waitFor(() => expect(ids(c)).toEqual(range(3, 8)));
    hub.receive([o.rows[7]!]);
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(range(3, 9)));
  });
  it("goes live at once when resuming from the last message", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(3));
    await new Promise((r) => setImmediate(r)); // the hub has dispatched them
    const c = read(await hub.open({ after: 3n, matches: all }));
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(["id-4"]));
    expect(o.reads).toBe(0);
  });
  it("reads on when the hub started past a client still reading its history", async () => {
    const o = fakeOutbox();
    o.add(3);
    const hub = hubOn(o);
    let open!: () => void;
    o.gate = new Promise((r) => (open = r));
    const c = read(await hub.open({ after: null, matches: all }));
    await vi.waitFor(() => expect(o.reads).toBe(1)); // its read began: nothing after 3
    o.add(2); // published before the hub was subscribed
    hub.sweep(); // the hub starts at 5
    await vi.waitFor(() => expect(o.reads).toBe(2));
    open();
    o.gate = null;
    await vi.waitFor(() => expect(ids(c)).toEqual(range(4, 5)));
  });
  it("does not take rows committed after its history read began for missing ones", async () => {
    const o = fakeOutbox();
    o.add(3);
    const hub = hubOn(o);
    let open!: () => void;
    o.gate = new Promise((r) => (open = r));
    const c = read(await hub.open({ after: 3n, matches: all }));
    await vi.waitFor(() => expect(o.reads).toBe(1)); // its snapshot: nothing after 3
    o.add(2); // 4 and 5 committed, their publish lost
    hub.receive(o.add(1)); // 6: the hub's first message, held by the client while its read is out
    open();
    o.gate = null;
    await vi.waitFor(() => expect(ids(c)).toEqual(range(4, 6)));
  });
  it("reads a long history page by page as the client takes it", async () => {
    const o = fakeOutbox();
    o.add(2000);
    const hub = hubOn(o, { pageSize: 100, maxBuffered: 150 });
    hub.receive([o.rows[1999]!]);
    const c = read(await hub.open({ after: 0n, matches: all }));
    await vi.waitFor(() => expect(c.messages.length).toBe(2000));
    expect(ids(c)).toEqual(range(1, 2000));
    expect(c.ended).toBe(false);
  });
});
