import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where the server gets core events from: the core's `events` object has this shape. */
export interface EventFeed {
  /** Listens to every event; returns the function that stops listening. */
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** How often a comment line is sent so idle proxies and clients keep the stream open. */
export const SSE_KEEP_ALIVE_MS = 15_000;

/** A client that reads slower than this many buffered bytes is dropped; it reconnects. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** One event in the Server-Sent Events wire format. */
export function formatSseEvent(event: string, payload: unknown): string {
  // JSON.stringify never emits a raw line break, so the data always fits on one `data:` line.
  return `event: ${event}\ndata: ${JSON.stringify(payload ?? null)}\n\n`;
}

/** An open event stream; `close` ends it from the server side. */
export type SseStream = { close(): void; readonly closed: Promise<void> };

/**
 * Turns a response into a Server-Sent Events stream of every core event.
 *
 * Sends a comment every `keepAliveMs`, stops listening when the client goes away, and drops a
 * client whose unread backlog grows past a few megabytes.
 */
export function openSseStream(
  req: IncomingMessage,
  res: ServerResponse,
  events: EventFeed,
  headers: Readonly<Record<string, string>>,
  keepAliveMs = SSE_KEEP_ALIVE_MS,
): SseStream {
  res.writeHead(200, {
    ...headers,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  req.socket.setTimeout(0);
  res.write(': connected\n\n');

  let done = false;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });

  const write = (text: string) => {
    if (done) return;
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      close();
      return;
    }
    res.write(text);
  };
  const unsubscribe = events.subscribe((event, payload) => {
    if (/[\r\n]/.test(event)) return;
    let text: string;
    try {
      text = formatSseEvent(event, payload);
    } catch {
      // A payload that cannot be serialised is a core bug; it must not kill the stream.
      return;
    }
    write(text);
  });
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), keepAliveMs);
  keepAlive.unref();

  function close() {
    if (done) return;
    done = true;
    clearInterval(keepAlive);
    unsubscribe();
    if (!res.writableEnded) res.end();
    markClosed();
  }
  req.on('close', close);
  res.on('close', close);
  res.on('error', close);

  return { close, closed };
}
