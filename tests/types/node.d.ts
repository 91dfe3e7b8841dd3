// The little of node that web/lib/leadkit.js touches (it reads the wasm file itself in node,
// docs/toolchain.md §3); the rest of the checked code runs in browsers only.
declare const process: { versions?: { node?: string } } | undefined;

declare module 'node:fs/promises' {
  export function readFile(path: URL): Promise<Uint8Array>;
}

// Node's BroadcastChannel can be told not to keep the process alive (web/app/host.js's tests).
interface BroadcastChannel { unref?(): void }
