import { RunRequestSchema } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { decodeMessage, describeForDeadLetter } from './message-decoder';
import { MAX_MESSAGE_BYTES } from './topology';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('decodeMessage', () => {
  it('parses a valid run request and maps the empty intent to incremental', () => {
    const d = decodeMessage(bytes('{"intent":""}'), RunRequestSchema);
    expect(d).toEqual({ ok: true, value: { intent: 'incremental' } });
  });

  it('rejects non-JSON, wrong schema, unknown intent and oversize with distinct codes', () => {
    const codeOf = (data: Uint8Array) => {
      const d = decodeMessage(data, RunRequestSchema);
      return d.ok ? 'ok' : d.error.code;
    };
    expect(codeOf(bytes('not json'))).toBe('invalid_json');
    expect(codeOf(bytes('{"intent":"everything"}'))).toBe('invalid_message');
    expect(codeOf(bytes('{"limit":-1}'))).toBe('invalid_message');
    expect(codeOf(bytes('{"surprise":1}'))).toBe('invalid_message');
    expect(codeOf(new Uint8Array(MAX_MESSAGE_BYTES + 1))).toBe('oversize');
  });

  it('names the offending field', () => {
    const d = decodeMessage(bytes('{"intent":"everything"}'), RunRequestSchema);
    expect(!d.ok && d.error.message).toMatch(/intent/);
  });

  it('extracts run id and key from bodies it can read', () => {
    expect(describeForDeadLetter(bytes('{"runId":"r1","source":{"key":"a.parquet"}}'))).toEqual({ runId: 'r1', key: 'a.parquet' });
    expect(describeForDeadLetter(bytes('garbage'))).toEqual({});
  });
});
