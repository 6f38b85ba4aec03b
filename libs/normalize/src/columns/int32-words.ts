// A typed array's bytes as 32-bit words: its values' bits, to copy or compare without converting them. An int64
// value is two words, low then high (every platform Node runs on is little-endian); no BigInt is made per value.
export function int32Words(values: Int32Array | Float32Array | Float64Array | BigInt64Array | Uint8Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.byteLength >> 2);
}
