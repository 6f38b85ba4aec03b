// The benchmarks' command lines: `--name value` pairs and bare flags, in order. Each option comes with `value()`,
// which takes the next argument (an error names the option when there is none).
export interface CliOption {
  name: string;
  value(): string;
}

export function* cliOptions(argv: string[]): Generator<CliOption> {
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    yield {
      name,
      value: () => {
        const v = argv[++i];
        if (v === undefined) throw new Error(`${name} needs a value`);
        return v;
      },
    };
  }
}
