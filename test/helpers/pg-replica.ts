/**
 * A PostgreSQL primary and a streaming replica of its own, for the read replica test: initdb into a
 * temporary directory, pg_basebackup of it into another, both on spare ports with their sockets in
 * their directories. The shared server on 5432 is never touched. PostgreSQL refuses to run as root:
 * as root, every command runs as the `postgres` user, owner of the directories.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { sparePorts } from "./spare-ports.js";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** The server binaries: PG_BINDIR, else `pg_config --bindir`, else Debian's PostgreSQL 15. */
function binDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
  } catch {
    return "/usr/lib/postgresql/15/bin";
  }
}

const BIN = binDir();
const TOOLS = ["initdb", "pg_ctl", "pg_basebackup", "postgres"];
/** Null when the server binaries are all there, else what is missing. */
export const PG_SERVER_MISSING = TOOLS.every((t) => existsSync(path.join(BIN, t)))
  ? null
  : `PostgreSQL server binaries (${TOOLS.join(", ")}) are missing in ${BIN}: apt-get install postgresql, or set PG_BINDIR`;

const asRoot = process.getuid?.() === 0;
const owner = asRoot
  ? {
      uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
      gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
    }
  : null;

/** Runs a server binary, as `postgres` under root. */
async function pgRun(tool: string, args: string[]): Promise<void> {
  const file = path.join(BIN, tool);
  if (asRoot) await run("runuser", ["-u", "postgres", "--", file, ...args], { cwd: "/" });
  else await run(file, args, { cwd: "/" });
}

/** A temporary directory the server user owns. */
async function ownedDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  if (owner) await chown(dir, owner.uid, owner.gid);
  return dir;
}

/** A port nothing listens on, from the range kept for what tests start. */
const sparePort = async (taken: number[] = []) => (await sparePorts(1, 25400, 100, taken))[0]!;

export interface ReplicatedPostgres {
  /** postgresql://… of each, on database `postgres`, with `?schema=` given. */
  primaryUrl: string;
  replicaUrl: string;
  /** One statement on the replica (as superuser), for the test's checks and for pausing replay. */
  onReplica<T extends pg.QueryResultRow>(text: string): Promise<T[]>;
  stopReplica(): Promise<void>;
  /** Stops both (immediately) and removes their directories; safe to call twice. */
  remove(): Promise<void>;
}

const CONF = (port: number, sockets: string) => `
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${sockets}'
wal_level = replica
max_wal_senders = 4
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
`;

const HBA = `local all all trust
host replication all 127.0.0.1/32 trust
host all all 127.0.0.1/32 trust
`;

/** Starts the primary and its replica; whatever was started is removed if a step fails. */
export async function startReplicatedPostgres(schema: string): Promise<ReplicatedPostgres> {
  const dirs: string[] = [];
  const running: string[] = [];
  const stop = async (data: string) => {
    if (!running.includes(data)) return;
    running.splice(running.indexOf(data), 1);
    await pgRun("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]).catch(() => undefined);
  };
  const remove = async () => {
    for (const data of [...running].reverse()) await stop(data);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  };
  const start = async (data: string) => {
    await pgRun("pg_ctl", ["start", "-D", data, "-w", "-t", "30", "-l", path.join(data, "server.log")]);
    running.push(data);
  };
  try {
    const root = await ownedDir("sy-replica-");
    dirs.push(root);
    const primary = path.join(root, "primary");
    const replica = path.join(root, "replica");
    const primaryPort = await sparePort();
    const replicaPort = await sparePort([primaryPort]);
    await pgRun("initdb", ["-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
    await appendFile(path.join(primary, "postgresql.conf"), CONF(primaryPort, primary));
    await writeFile(path.join(primary, "pg_hba.conf"), HBA);
    await start(primary);
    const from = ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres"];
    await pgRun("pg_basebackup", [...from, "-D", replica, "-R", "-X", "stream", "--no-sync"]);
    // The copy has the primary's port and socket directory: the replica's own come after them.
    await appendFile(path.join(replica, "postgresql.conf"), CONF(replicaPort, replica));
    await start(replica);
    const url = (port: number) => `postgresql://postgres@127.0.0.1:${port}/postgres?schema=${schema}`;
    return {
      primaryUrl: url(primaryPort),
      replicaUrl: url(replicaPort),
      async onReplica<T extends pg.QueryResultRow>(text: string) {
        const client = new pg.Client({ host: "127.0.0.1", port: replicaPort, user: "postgres", database: "postgres" });
        await client.connect();
        try {
          return (await client.query<T>(text)).rows;
        } finally {
          await client.end();
        }
      },
      stopReplica: () => stop(replica),
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}
