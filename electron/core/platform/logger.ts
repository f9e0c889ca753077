import { appendFileSync } from 'node:fs';

/** Structured logging; never give it secrets. */
export interface Logger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

/**
 * A logger writing one JSON line per entry to a file (and warnings and errors to stderr).
 *
 * Appends are synchronous so that the line before a crash is on disk.
 */
export function fileLogger(path: string | undefined, echo = true): Logger {
  const write = (level: Level, message: string, context?: Record<string, unknown>) => {
    const entry = {
      at: new Date().toISOString(),
      level,
      message,
      ...Object.fromEntries(Object.entries(context ?? {}).map(([k, v]) => [k, serialise(v)])),
    };
    const line = `${JSON.stringify(entry)}\n`;
    if (path) {
      try {
        appendFileSync(path, line, { mode: 0o600 });
      } catch {
        // A log that cannot be written must never take the core down with it.
      }
    }
    if (echo && level !== 'info') process.stderr.write(line);
  };
  return {
    info: (m, c) => write('info', m, c),
    warn: (m, c) => write('warn', m, c),
    error: (m, c) => write('error', m, c),
  };
}

/** A logger that keeps entries in memory; for tests. */
export function memoryLogger() {
  const entries: { level: Level; message: string; context?: Record<string, unknown> }[] = [];
  const push = (level: Level) => (message: string, context?: Record<string, unknown>) => {
    entries.push(context === undefined ? { level, message } : { level, message, context });
  };
  return {
    entries,
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
  } satisfies Logger & {
    entries: unknown[];
  };
}
