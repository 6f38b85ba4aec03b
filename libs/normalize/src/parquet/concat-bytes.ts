// Byte arrays joined into one fresh Uint8Array (offset 0, its own buffer: safe for DataView over `.buffer`, which
// Buffer.concat's pooled result is not).
export function concatBytes(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
