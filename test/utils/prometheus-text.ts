/** One sample line of a metric family. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its `# TYPE`, `# HELP` and samples (histogram `_bucket`/`_sum`/`_count` included). */
export interface PrometheusFamily {
  type?: string;
  help?: string;
  samples: PrometheusSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

function parseValue(text: string, line: string): number {
  if (text === '+Inf' || text === 'Inf') {
    return Infinity;
  }
  if (text === '-Inf') {
    return -Infinity;
  }
  if (text === 'NaN') {
    return NaN;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new Error(`malformed value in: ${line}`);
  }
  return Number(text);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text.trim();
  while (rest !== '') {
    const match =
      /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\s*(,\s*)?/.exec(
        rest,
      );
    if (!match) {
      throw new Error(`malformed labels in: ${line}`);
    }
    if (match[1] in labels) {
      throw new Error(`duplicate label ${match[1]} in: ${line}`);
    }
    labels[match[1]] = match[2].replace(/\\(["\\n])/g, (_, char: string) =>
      char === 'n' ? '\n' : char,
    );
    rest = rest.slice(match[0].length);
    if (!match[3] && rest !== '') {
      throw new Error(`malformed labels in: ${line}`);
    }
  }
  return labels;
}

/** The family a sample belongs to: its own name, or its name without a histogram/summary/counter suffix. */
function familyOf(
  name: string,
  families: Map<string, PrometheusFamily>,
): string {
  if (families.has(name)) {
    return name;
  }
  for (const suffix of SUFFIXES) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (families.has(base)) {
        return base;
      }
    }
  }
  return name;
}

/**
 * Parses the Prometheus text exposition format (0.0.4), strictly: any line
 * that is not a comment, `# HELP`, `# TYPE` or a well-formed sample throws.
 * Families are keyed by their metric name; histogram and summary samples
 * (`_bucket`, `_sum`, `_count`) go under their family.
 */
export function parsePrometheusText(
  text: string,
): Map<string, PrometheusFamily> {
  const families = new Map<string, PrometheusFamily>();
  const family = (name: string): PrometheusFamily => {
    let found = families.get(name);
    if (!found) {
      found = { samples: [] };
      families.set(name, found);
    }
    return found;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      continue;
    }
    if (line.startsWith('#')) {
      const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!meta) {
        continue;
      } // an ordinary comment
      const [, kind, name, rest = ''] = meta;
      if (!NAME.test(name)) {
        throw new Error(`malformed metric name in: ${line}`);
      }
      if (kind === 'TYPE') {
        if (!TYPES.has(rest.trim())) {
          throw new Error(`unknown type in: ${line}`);
        }
        family(name).type = rest.trim();
      } else {
        family(name).help = rest.replace(/\\(\\|n)/g, (_, char: string) =>
          char === 'n' ? '\n' : '\\',
        );
      }
      continue;
    }
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/.exec(
        line,
      );
    if (!sample) {
      throw new Error(`malformed sample line: ${line}`);
    }
    const [, name, labelText = '', valueText] = sample;
    family(familyOf(name, families)).samples.push({
      name,
      labels: parseLabels(labelText, line),
      value: parseValue(valueText, line),
    });
  }
  return families;
}
