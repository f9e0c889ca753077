import { describe, expect, it } from 'vitest';

import { createSseParser, type SseMessage } from '../../../../shared/api/http-transport';

describe('createSseParser', () => {
  it('joins events split across chunks and skips keep-alive comments', () => {
    const seen: SseMessage[] = [];
    const parser = createSseParser((message) => seen.push(message));
    for (const chunk of [
      ': connected\n\n',
      'event: a',
      'udit.appended\nda',
      'ta: {"seq":1}\n',
      '\n: keep-alive\n\n',
    ]) {
      parser.push(chunk);
    }
    expect(seen).toEqual([{ event: 'audit.appended', data: '{"seq":1}' }]);
  });

  it('handles CRLF, a CR split from its LF, and multi-line data', () => {
    const seen: SseMessage[] = [];
    const parser = createSseParser((message) => seen.push(message));
    parser.push('event: x\r\ndata: 1\r');
    parser.push('\ndata: 2\r\n\r\n');
    parser.push('data:3\n\n');
    expect(seen).toEqual([
      { event: 'x', data: '1\n2' },
      { event: 'message', data: '3' },
    ]);
  });
});
