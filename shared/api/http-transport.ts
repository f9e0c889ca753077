import { SESSION_HEADER } from './channels';
import type { Transport } from './client';
import { isErrorCode, type WireResult } from './errors';

/*
 * shared/ compiles against ES2023 only (no DOM, no node types), so the few web platform APIs this
 * transport needs are described structurally here. Browsers and Node 20+ provide all of them.
 */

/** The part of a fetch `Response` this transport reads. */
export type FetchResponseLike = {
  ok: boolean;
  status: number;
  text(): Promise<string>;
  body: { getReader(): StreamReaderLike } | null;
};

/** The part of a `ReadableStreamDefaultReader<Uint8Array>` this transport reads. */
export type StreamReaderLike = {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(reason?: unknown): Promise<void>;
};

/** The part of an `AbortSignal` fetch accepts. */
export type AbortSignalLike = object;

/** The fetch function, as far as this transport uses it. */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal?: AbortSignalLike;
  },
) => Promise<FetchResponseLike>;

type AbortControllerLike = { signal: AbortSignalLike; abort(): void };
type TextDecoderLike = { decode(input?: Uint8Array, options?: { stream?: boolean }): string };
type WebGlobals = {
  fetch?: FetchLike;
  AbortController?: new () => AbortControllerLike;
  TextDecoder?: new (label?: string) => TextDecoderLike;
  setTimeout(handler: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

const web = globalThis as unknown as WebGlobals;

/** How to reach a PatchDeck loopback server. */
export type HttpTransportOptions = {
  /** The API root, e.g. `http://127.0.0.1:43123/api`, or `/api` in a page served by the server. */
  apiBase: string;
  /** The per-launch bearer token (from `#token=` in browser mode). */
  token: string;
  /** A fetch implementation; the global one by default. */
  fetch?: FetchLike;
  /** First delay before re-opening a dropped event stream; doubles up to 30 s. */
  reconnectDelayMs?: number;
};

/** One parsed Server-Sent Event. */
export type SseMessage = { event: string; data: string };

/**
 * An incremental Server-Sent Events parser: feed it text as it arrives, get whole events out.
 *
 * Handles events split across chunks, CRLF or LF line ends, multi-line `data:` and `:` comments
 * (keep-alives), as the SSE specification describes.
 */
export function createSseParser(onMessage: (message: SseMessage) => void): {
  push(text: string): void;
} {
  let buffer = '';
  let eventName = '';
  let dataLines: string[] = [];
  const dispatchEvent = () => {
    if (dataLines.length > 0) {
      onMessage({ event: eventName || 'message', data: dataLines.join('\n') });
    }
    eventName = '';
    dataLines = [];
  };
  const handleLine = (line: string) => {
    if (line === '') {
      dispatchEvent();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventName = value;
    else if (field === 'data') dataLines.push(value);
  };
  return {
    push(text) {
      buffer += text;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        // A lone CR at the very end may be the first half of a CRLF: wait for more text.
        if (!match || (match[0] === '\r' && match.index === buffer.length - 1)) break;
        handleLine(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
  };
}

function transportFailure(message: string, details?: Record<string, unknown>): WireResult<never> {
  return details === undefined
    ? { ok: false, error: { code: 'TRANSPORT_FAILED', message } }
    : { ok: false, error: { code: 'TRANSPORT_FAILED', message, details } };
}

function isWireResult(value: unknown): value is WireResult<unknown> {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as { ok?: unknown; error?: unknown };
  if (candidate.ok === true) return 'value' in candidate;
  if (candidate.ok !== false || candidate.error === null || typeof candidate.error !== 'object') {
    return false;
  }
  const error = candidate.error as { code?: unknown; message?: unknown };
  return isErrorCode(error.code) && typeof error.message === 'string';
}

/**
 * The loopback HTTP transport: `POST <apiBase>/<op>` for calls, `GET <apiBase>/events` (SSE,
 * read from the fetch stream so the Authorization header can be sent) for events.
 *
 * Environment-neutral: the renderer in browser mode and Node tests use the same code. One event
 * stream is shared by all subscribers; it opens with the first and closes with the last, and
 * re-opens with backoff when the connection drops.
 */
export function httpTransport(options: HttpTransportOptions): Transport {
  const fetchFn = options.fetch ?? web.fetch?.bind(globalThis);
  if (!fetchFn) throw new Error('httpTransport needs a fetch implementation.');
  const apiBase = options.apiBase.replace(/\/+$/, '');
  const authorization = `Bearer ${options.token}`;
  const firstDelay = options.reconnectDelayMs ?? 1_000;

  const listeners = new Set<(event: string, payload: unknown) => void>();
  let stream: { stop(): void } | undefined;

  const emit = (message: SseMessage) => {
    let payload: unknown;
    try {
      payload = JSON.parse(message.data);
    } catch {
      return;
    }
    for (const listener of [...listeners]) listener(message.event, payload);
  };

  const openStream = (): { stop(): void } => {
    let stopped = false;
    let delay = firstDelay;
    let timer: unknown;
    let controller: AbortControllerLike | undefined;
    let reader: StreamReaderLike | undefined;

    const scheduleReconnect = () => {
      if (stopped) return;
      timer = web.setTimeout(() => void connect(), delay);
      delay = Math.min(delay * 2, 30_000);
    };

    const connect = async () => {
      if (stopped) return;
      controller = web.AbortController ? new web.AbortController() : undefined;
      try {
        const response = await fetchFn(`${apiBase}/events`, {
          method: 'GET',
          headers: { authorization, accept: 'text/event-stream' },
          ...(controller ? { signal: controller.signal } : {}),
        });
        // A refused token will not become valid by retrying.
        if (response.status === 401 || response.status === 403) return;
        if (!response.ok || !response.body) {
          scheduleReconnect();
          return;
        }
        delay = firstDelay;
        reader = response.body.getReader();
        const decoder = web.TextDecoder ? new web.TextDecoder('utf-8') : undefined;
        if (!decoder) throw new Error('httpTransport needs TextDecoder for events.');
        const parser = createSseParser(emit);
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (value) parser.push(decoder.decode(value, { stream: true }));
        }
      } catch {
        // Dropped or aborted; reconnect below unless stopped.
      }
      reader = undefined;
      scheduleReconnect();
    };

    void connect();
    return {
      stop() {
        stopped = true;
        if (timer !== undefined) web.clearTimeout(timer);
        controller?.abort();
        reader?.cancel().catch(() => undefined);
      },
    };
  };

  return {
    async call(op, input, session) {
      const headers: Record<string, string> = {
        authorization,
        'content-type': 'application/json',
        accept: 'application/json',
      };
      if (session !== undefined) headers[SESSION_HEADER] = session;
      let response: FetchResponseLike;
      let text: string;
      try {
        response = await fetchFn(`${apiBase}/${encodeURIComponent(op)}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input === undefined ? null : input),
        });
        text = await response.text();
      } catch (error) {
        return transportFailure('Cannot reach the PatchDeck core.', {
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (isWireResult(body)) return body;
      return transportFailure(`The PatchDeck core answered HTTP ${response.status}.`, {
        status: response.status,
      });
    },

    subscribe(listener) {
      listeners.add(listener);
      stream ??= openStream();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && stream) {
          stream.stop();
          stream = undefined;
        }
      };
    },
  };
}
