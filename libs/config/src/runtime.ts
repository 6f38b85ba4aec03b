// sluice runs on Node.js 24 LTS (what `engines` and the image say). Started on an older Node (a system Node 20,
// past its end of life, with no zstd in node:zlib), every entry point stops with one line that says how to run it.
export const MIN_NODE_MAJOR = 24;

/** undefined when this Node is supported, else the message to print. */
export function unsupportedRuntime(version = process.versions.node): string | undefined {
  const major = Number(version.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return undefined;
  return (
    `Node.js ${version} is not supported: sluice needs Node.js ${MIN_NODE_MAJOR} LTS or later. ` +
    'In a checkout, `npm ci` installs it (the `node` dev dependency) and every `npm run …` script uses it ' +
    '(e.g. `npm run sluice -- status`); elsewhere, `npx node@24 dist/apps/cli/src/main.js …`.'
  );
}

/** Exits with status 2 on an unsupported Node; call first thing in every entry point. */
export function exitOnUnsupportedRuntime(name: string): void {
  const message = unsupportedRuntime();
  if (!message) return;
  process.stderr.write(`sluice ${name}: ${message}\n`);
  process.exit(2);
}
