// Runs s3rver in its own node process, started by libs/embedded/src/s3-server.ts with
// --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3
// only ships in the legacy provider, so pagination fails with a 500 in a normal Node 20 process.
// Plain CommonJS outside src/ so the same file serves the TypeScript sources and the compiled dist/.
//
// Usage: node --openssl-legacy-provider s3-server.child.cjs '{"port":0,"dir":"/tmp/x","buckets":["a"]}'
// (optional "credentials":{"accessKeyId":…,"secretAccessKey":…}: the only key pair it then accepts)
// Prints one line `{"ready":true,"port":N}` on stdout when it accepts requests. Exits when stdin closes
// (the parent is gone, however it died) or on SIGTERM/SIGINT.
'use strict';

const S3rver = require('s3rver');

async function main() {
  const { port = 0, dir, buckets = [], credentials } = JSON.parse(process.argv[2] || '{}');
  if (!dir) throw new Error('s3-server.child.cjs: "dir" is required');
  if (credentials) {
    // s3rver keeps its accounts in a registry; the built-in S3RVER key would still be accepted otherwise.
    const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account');
    DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
    DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  }
  const server = new S3rver({
    port,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
    // Open keep-alive connections can hold close() forever; the parent is waiting for us.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();

  process.stdout.write(`${JSON.stringify({ ready: true, port: address.port })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
